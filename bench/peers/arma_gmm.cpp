// Armadillo peer for bench/compare.sh: runs EM from a given starting model.
//
//   arma_gmm full|diag DATA.npy START.txt ITERATIONS
//
// DATA.npy: C-order <f8, shape (N, D) -- read straight into an arma::mat of
// D x N (the same bytes, column-major). START.txt: "K D" then the weights (K),
// the means (K x D, row by row) and the covariances (full: K x D x D; diag:
// K x D), whitespace-separated, printed with 17 significant digits by
// bench/compare.py from the shared starting model.
//
// Runs gmm_full / gmm_diag .learn() with seed_mode = keep_existing, km_iter = 0,
// em_iter = ITERATIONS (Armadillo stops early only if the mean log-likelihood
// changes by less than machine epsilon), then prints one JSON line with the
// mean log-likelihood of the final parameters (avg_log_p) and the OpenBLAS core.
// Built single-threaded (no -fopenmp), so Armadillo's EM runs on one thread.
#include <armadillo>
#include <dlfcn.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

static void die(const std::string& m) { std::fprintf(stderr, "arma_gmm: %s\n", m.c_str()); std::exit(2); }

static arma::mat load_npy(const char* path) {
    FILE* f = std::fopen(path, "rb");
    if (!f) die(std::string("cannot open ") + path);
    char magic[8];
    if (std::fread(magic, 1, 8, f) != 8 || std::memcmp(magic, "\x93NUMPY", 6) != 0) die("not a .npy file");
    size_t hlen = 0;
    if (magic[6] == 1) { unsigned char b[2]; if (std::fread(b, 1, 2, f) != 2) die("short header"); hlen = b[0] | (b[1] << 8); }
    else { unsigned char b[4]; if (std::fread(b, 1, 4, f) != 4) die("short header"); hlen = b[0] | (b[1] << 8) | (b[2] << 16) | ((size_t)b[3] << 24); }
    std::string h(hlen, ' ');
    if (std::fread(&h[0], 1, hlen, f) != hlen) die("short header");
    if (h.find("'<f8'") == std::string::npos) die("dtype must be <f8");
    if (h.find("'fortran_order': False") == std::string::npos) die("must be C order");
    size_t s = h.find("'shape': (");
    if (s == std::string::npos) die("no shape");
    unsigned long long n = 0, d = 0;
    if (std::sscanf(h.c_str() + s + 10, "%llu, %llu", &n, &d) != 2) die("shape must be (N, D)");
    arma::mat X(d, n);
    if (std::fread(X.memptr(), sizeof(double), n * d, f) != n * d) die("short data");
    std::fclose(f);
    return X;
}

static const char* core_name() {
    typedef char* (*fn)(void);
    void* p = dlsym(RTLD_DEFAULT, "openblas_get_corename");
    return p ? ((fn)p)() : "not OpenBLAS";
}

int main(int argc, char** argv) {
    if (argc != 5) die("usage: arma_gmm full|diag DATA.npy START.txt ITERATIONS");
    const bool full = std::strcmp(argv[1], "full") == 0;
    const arma::uword iters = std::strtoul(argv[4], nullptr, 10);
    arma::mat X = load_npy(argv[2]);
    std::ifstream in(argv[3]);
    arma::uword K, D;
    if (!(in >> K >> D) || D != X.n_rows) die("bad start file");
    arma::rowvec hefts(K);
    arma::mat means(D, K);
    for (arma::uword k = 0; k < K; ++k) in >> hefts(k);
    for (arma::uword k = 0; k < K; ++k) for (arma::uword j = 0; j < D; ++j) in >> means(j, k);
    double mean_ll;
    bool ok;
    if (full) {
        arma::cube covs(D, D, K);
        for (arma::uword k = 0; k < K; ++k) for (arma::uword i = 0; i < D; ++i) for (arma::uword j = 0; j < D; ++j) in >> covs(i, j, k);
        if (!in) die("bad start file");
        arma::gmm_full model;
        model.set_params(means, covs, hefts);
        ok = model.learn(X, K, arma::eucl_dist, arma::keep_existing, 0, iters, 1e-10, false);
        mean_ll = model.avg_log_p(X);
    } else {
        arma::mat dcovs(D, K);
        for (arma::uword k = 0; k < K; ++k) for (arma::uword j = 0; j < D; ++j) in >> dcovs(j, k);
        if (!in) die("bad start file");
        arma::gmm_diag model;
        model.set_params(means, dcovs, hefts);
        ok = model.learn(X, K, arma::eucl_dist, arma::keep_existing, 0, iters, 1e-10, false);
        mean_ll = model.avg_log_p(X);
    }
    std::printf("{\"ok\": %s, \"mean_log_likelihood\": %.17g, \"n_iter\": %llu, \"blas_core\": \"OpenBLAS %s\"}\n",
                ok ? "true" : "false", mean_ll, (unsigned long long)iters, core_name());
    return ok ? 0 : 1;
}
