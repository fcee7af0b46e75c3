#!/usr/bin/env python3
"""Golden reference fixtures for the Swift Gaussian-mixture tests, made with scikit-learn.

Run from the repository root:

    pip install scikit-learn==1.9.1 && python3 Tests/Fixtures/golden/generate.py [SOURCE_DIR]

SOURCE_DIR holds old-faithful.csv and iris.csv; default `Data/` if it exists, else
`../shared/data` (both relative to the repository root).  The script writes

  Tests/Fixtures/data/{old-faithful,iris,synthetic-3d,synthetic-5d}.csv
      header row, then one row per observation; `\\n` line endings; numbers in Python
      repr (shortest round-trip) form. The two real sets are byte-for-byte copies.
  Tests/Fixtures/golden/<dataset>.json
      for every covariance type x K in COVARIANCE_TYPES x N_COMPONENTS, one "case":
      a deterministic initial model, sklearn's EM trajectory from it (10 iterations and
      1 iteration, tol=0), scores of that initial model, and predictions of the final
      model on query rows that are not training rows; plus sklearn's own default fits
      (k-means init, n_init=5) as a quality bar.

Everything is deterministic: random numbers come from numpy.random.default_rng seeded
with fixed integers or with a SHA-256 of the case name (never Python's hash()).
Covariance shapes follow sklearn's covariances_: full (K,d,d), tied (d,d), diag (K,d),
spherical (K,).  The initial covariances are used as given (reg_covar is NOT added to
them; sklearn adds it only in the M-step).  With tol=0, sklearn never reports converged.
"""
import hashlib
import json
import platform
import shutil
import sys
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

ROOT = Path(__file__).resolve().parents[3]
DATA_OUT = ROOT / "Tests/Fixtures/data"
GOLDEN_OUT = ROOT / "Tests/Fixtures/golden"
COVARIANCE_TYPES = ["full", "diag", "spherical", "tied"]
N_COMPONENTS = [1, 2, 3, 5]
REG_COVAR, MAX_ITER, N_INIT_SCORE_ROWS, N_QUERY_NEAR, N_QUERY_FAR = 1e-6, 10, 20, 22, 3


def seed_for(*names):
    """A stable 64-bit seed from names (SHA-256), e.g. seed_for("iris", "full", 3)."""
    return int.from_bytes(hashlib.sha256("|".join(map(str, names)).encode()).digest()[:8], "little")


# ---------------------------------------------------------------- data sets
def write_csv(path, header, X):
    lines = [",".join(header)] + [",".join(repr(float(v)) for v in row) for row in X]
    path.write_text("\n".join(lines) + "\n")


def read_csv(path):
    lines = path.read_text().strip().split("\n")
    return lines[0].split(","), np.array([[float(v) for v in ln.split(",")] for ln in lines[1:]])


def random_rotation(rng, d):
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    return q * np.sign(np.diag(r))


def sample_mixture(rng, counts, means, covs):
    """Fixed counts per cluster, then rows shuffled so clusters are interleaved."""
    X = np.vstack([rng.multivariate_normal(m, c, size=n) for n, m, c in zip(counts, means, covs)])
    return X[rng.permutation(len(X))]


def synthetic_3d():
    """450 rows, 3 unequal clusters (225/135/90), full covariances, means near 1000 so that
    E[x^2] - mean^2 cancels ~6 of the 16 significant digits; clusters overlap moderately."""
    rng = np.random.default_rng(20240301)
    means = [[1000.0, 1000.0, 1000.0], [1003.0, 998.5, 1001.0], [998.0, 1002.5, 1003.5]]
    covs = []
    for ev in ([2.0, 1.0, 0.5], [1.5, 0.8, 0.3], [1.0, 0.6, 0.4]):
        q = random_rotation(rng, 3)
        covs.append(q @ np.diag(ev) @ q.T)
    return [f"x{i}" for i in range(3)], sample_mixture(rng, [225, 135, 90], means, covs)


def synthetic_5d():
    """600 rows, 4 clusters (200/170/130/100); the third has a nearly singular covariance
    (eigenvalues 2, 1.5, 1, 0.5, 0.002: smallest/largest = 1e-3)."""
    rng = np.random.default_rng(20240302)
    means = [[0, 0, 0, 0, 0], [4, 1, -2, 0, 3], [-3, 3, 1, 2, -1], [1, -4, 3, -2, 1]]
    spectra = ([1.0, 1.0, 0.8, 0.6, 0.5], [2.0, 1.2, 1.0, 0.7, 0.4],
               [2.0, 1.5, 1.0, 0.5, 0.002], [1.5, 1.5, 1.0, 1.0, 0.8])
    covs = []
    for ev in spectra:
        q = random_rotation(rng, 5)
        covs.append(q @ np.diag(ev) @ q.T)
    X = sample_mixture(rng, [200, 170, 130, 100], np.array(means, float), covs)
    return [f"x{i}" for i in range(5)], X


def prepare_data(source):
    DATA_OUT.mkdir(parents=True, exist_ok=True)
    for name in ["old-faithful", "iris"]:
        shutil.copyfile(source / f"{name}.csv", DATA_OUT / f"{name}.csv")
    for name, make in [("synthetic-3d", synthetic_3d), ("synthetic-5d", synthetic_5d)]:
        header, X = make()
        write_csv(DATA_OUT / f"{name}.csv", header, X)
    return ["old-faithful", "iris", "synthetic-3d", "synthetic-5d"]


# ---------------------------------------------------------------- models
def initial_model(X, cov_type, K, rng):
    """K rows with distinct values as means, Dirichlet(5) weights, data covariance."""
    n, d = X.shape
    rows = []
    for i in rng.permutation(n):
        if not any(np.array_equal(X[i], X[j]) for j in rows):
            rows.append(int(i))
        if len(rows) == K:
            break
    means = X[rows].copy()
    weights = rng.dirichlet(5.0 * np.ones(K))
    weights /= weights.sum()
    S = np.cov(X.T, bias=True)
    covariances = {"full": np.array([S] * K), "tied": S, "diag": np.tile(np.diag(S), (K, 1)),
                   "spherical": np.full(K, np.mean(np.diag(S)))}[cov_type]
    return weights, means, covariances


def precisions_of(covariances, cov_type):
    if cov_type in ("diag", "spherical"):
        return 1.0 / covariances
    P = np.linalg.inv(covariances)
    return (P + np.swapaxes(P, -1, -2)) / 2  # exactly symmetric, as sklearn checks


def full_matrices(covariances, cov_type, K, d):
    """Any covariance type as a (K, d, d) stack of full matrices."""
    if cov_type == "full":
        return covariances
    if cov_type == "tied":
        return np.array([covariances] * K)
    if cov_type == "diag":
        return np.array([np.diag(c) for c in covariances])
    return np.array([c * np.eye(d) for c in covariances])


def log_density(X, weights, means, covariances, cov_type):
    """Reference log p(x) = logsumexp_k [log w_k + log N(x | mu_k, Sigma_k)], plain numpy."""
    n, d = X.shape
    covs = full_matrices(covariances, cov_type, len(weights), d)
    terms = np.empty((n, len(weights)))
    for k, (w, mu, C) in enumerate(zip(weights, means, covs)):
        sign, logdet = np.linalg.slogdet(C)
        assert sign > 0
        diff = X - mu
        maha = np.einsum("ij,ij->i", diff, np.linalg.solve(C, diff.T).T)
        terms[:, k] = np.log(w) - 0.5 * (d * np.log(2 * np.pi) + logdet + maha)
    top = terms.max(axis=1)
    return top + np.log(np.exp(terms - top[:, None]).sum(axis=1))


def query_rows(name, X):
    """Training rows + N(0, (0.3 std)^2) noise, then rows at mean +/- 8 std (sign patterns)."""
    rng = np.random.default_rng(seed_for(name, "query"))
    mean, std = X.mean(axis=0), X.std(axis=0)
    near = X[rng.choice(len(X), N_QUERY_NEAR, replace=False)]
    near = near + rng.standard_normal(near.shape) * 0.3 * std
    signs = np.array([[1.0] * X.shape[1], [-1.0] * X.shape[1],
                      [(-1.0) ** j for j in range(X.shape[1])]])
    Q = np.vstack([near, mean + 8 * std * signs[:N_QUERY_FAR]])
    assert not any((X == q).all(axis=1).any() for q in Q), "query row equals a training row"
    return Q


def fit(X, cov_type, K, weights, means, covariances, max_iter):
    gm = GaussianMixture(n_components=K, covariance_type=cov_type, weights_init=weights,
                         means_init=means, precisions_init=precisions_of(covariances, cov_type),
                         max_iter=max_iter, tol=0, reg_covar=REG_COVAR, random_state=0)
    return gm.fit(X)


def params(gm):
    return {"weights": gm.weights_.tolist(), "means": gm.means_.tolist(),
            "covariances": gm.covariances_.tolist()}


def make_case(name, X, cov_type, K, Q):
    rng = np.random.default_rng(seed_for(name, cov_type, K))
    w0, m0, c0 = initial_model(X, cov_type, K, rng)
    gm = fit(X, cov_type, K, w0, m0, c0, MAX_ITER)
    gm1 = fit(X, cov_type, K, w0, m0, c0, 1)
    assert np.all(np.isfinite(gm.covariances_)) and np.all(np.isfinite(gm1.covariances_))
    score = float(gm.score(X))
    assert score >= gm.lower_bound_ - 1e-9, f"EM not monotone: {score} < {gm.lower_bound_}"
    # Cross-check the numpy reference: sklearn's lower bound after one iteration is the
    # mean log-likelihood of the initial model.
    init_all = log_density(X, w0, m0, c0, cov_type)
    assert abs(init_all.mean() - gm1.lower_bound_) <= 1e-10 * max(1.0, abs(gm1.lower_bound_))
    rows = list(range(N_INIT_SCORE_ROWS))
    return {
        "covariance_type": cov_type, "n_components": K, "max_iter": MAX_ITER, "tol": 0,
        "init": {"weights": w0.tolist(), "means": m0.tolist(), "covariances": c0.tolist()},
        "init_score_samples": {"rows": rows, "values": init_all[rows].tolist()},
        "expected": {**params(gm), "n_iter": int(gm.n_iter_), "converged": bool(gm.converged_),
                     "lower_bound": float(gm.lower_bound_),
                     "lower_bounds": [float(v) for v in gm.lower_bounds_],
                     "mean_log_likelihood": score, "bic": float(gm.bic(X)),
                     "aic": float(gm.aic(X)), "n_parameters": int(gm._n_parameters())},
        "expected_one_iteration": {**params(gm1), "lower_bound": float(gm1.lower_bound_)},
        "query": {"rows": Q.tolist(), "predict_proba": gm.predict_proba(Q).tolist(),
                  "score_samples": gm.score_samples(Q).tolist(),
                  "predict": [int(v) for v in gm.predict(Q)]},
    }


def default_fit(X, K):
    gm = GaussianMixture(n_components=K, n_init=5, random_state=0).fit(X)
    return {"n_components": K, "covariance_type": "full", "init_params": "kmeans", "n_init": 5,
            "tol": gm.tol, "max_iter": gm.max_iter, "random_state": 0,
            "mean_log_likelihood": float(gm.score(X)), "converged": bool(gm.converged_)}


def main():
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    if len(sys.argv) > 1:
        source = Path(sys.argv[1]).resolve()
    else:
        source = ROOT / "Data" if (ROOT / "Data").is_dir() else (ROOT / "../shared/data").resolve()
    dropped = []
    for name in prepare_data(source):
        header, X = read_csv(DATA_OUT / f"{name}.csv")
        Q = query_rows(name, X)
        cases = []
        for cov_type in COVARIANCE_TYPES:
            for K in N_COMPONENTS:
                try:
                    cases.append(make_case(name, X, cov_type, K, Q))
                except (ValueError, AssertionError, np.linalg.LinAlgError) as err:
                    dropped.append((name, cov_type, K))
                    print(f"DROPPED {name} {cov_type} K={K}: {err}")
        doc = {"generator": "Tests/Fixtures/golden/generate.py",
               "sklearn_version": sklearn.__version__, "numpy_version": np.__version__,
               "python_version": platform.python_version(),
               "data": f"Tests/Fixtures/data/{name}.csv", "feature_names": header,
               "reg_covar": REG_COVAR, "cases": cases,
               "default_fits": [default_fit(X, K) for K in N_COMPONENTS]}
        out = GOLDEN_OUT / f"{name}.json"
        with open(out, "w") as f:
            json.dump(doc, f, indent=1, allow_nan=False)  # allow_nan=False: no NaN/Infinity
            f.write("\n")
        size = out.stat().st_size
        assert size < 1_500_000, f"{out} is {size} bytes"
        print(f"{out.relative_to(ROOT)}: {len(cases)} cases, {size} bytes")
    print("dropped cases:", dropped or "none")


if __name__ == "__main__":
    main()
