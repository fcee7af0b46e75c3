"""Intel oneDAL peer for bench/compare.sh: EM from the shared starting model.

    python3 onedal_gmm.py full|diag DATA.npy START.json ITERATIONS THREADS

Runs daal4py.em_gmm (oneDAL's EM for GMM, covarianceStorage "full" or
"diagonal") from the start's weights, means and covariances with
maxIterations=ITERATIONS and accuracyThreshold=0, on THREADS threads
(daal4py.daalinit: oneDAL threads on its own through TBB, whatever
OMP_NUM_THREADS says).

It needs daal4py 2024.7.0, which does not import with scikit-learn >= 1.6:
bench/compare.sh runs it in its own virtual environment (daal4py==2024.7.0,
numpy, scikit-learn<1.6, packaging, threadpoolctl).

Two things differ from scikit-learn and are handled here:
  - oneDAL stops when its objective stops changing, even at tolerance 0, so
    the iterations are counted from its result (nIterations), not assumed;
    compare.py divides by the difference of the counted iterations.
  - oneDAL adds no regulariser to the covariances (its regularizationFactor
    applies only to ill-conditioned ones), where scikit-learn and gmm add
    reg_covar = 1e-6 to the diagonal each M-step: the final log-likelihoods
    then differ by about that much (relative 1e-7 or so), not by rounding.
    From the same start with reg_covar = 0, scikit-learn and oneDAL agree to
    1e-14 (checked when this runner was written).

Prints one JSON line: compute_cpu and compute_wall = CPU (all threads) and wall
seconds of the compute() call alone, which compare.py differences between a short
and a long run; mean_log_likelihood = mean log P(x) under the final
parameters (scikit-learn's score(X) with oneDAL's parameters plugged in, the
same quantity as gmm's mean_log_likelihood), lower_bound = goalFunction / N
(oneDAL's objective is the log-likelihood of the parameters before the last
M-step, which equals scikit-learn's lower_bound_), n_iter, the thread count
oneDAL reports, and what ran.
"""
import json
import sys
import time
import warnings
from importlib.metadata import version

import numpy as np
import daal4py
from sklearn.mixture import GaussianMixture
from sklearn.mixture._gaussian_mixture import _compute_precision_cholesky


def mean_log_likelihood(family, X, weights, means, covariances):
    """scikit-learn's score(X) for the given parameters (no fitting)."""
    kind = "full" if family == "full" else "diag"
    gm = GaussianMixture(n_components=len(weights), covariance_type=kind)
    gm.weights_, gm.means_, gm.covariances_ = weights, means, covariances
    gm.precisions_cholesky_ = _compute_precision_cholesky(covariances, kind)
    return float(gm.score(X))


def main():
    family, data_path, start_path, iters, threads = (sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]),
                                                     int(sys.argv[5]))
    daal4py.daalinit(threads)
    X = np.ascontiguousarray(np.load(data_path), dtype=np.float64)
    with open(start_path) as f:
        start = json.load(f)
    weights = np.array(start["weights"], dtype=np.float64)
    means = np.ascontiguousarray(np.array(start["means"], dtype=np.float64))
    covs = np.array(start["covariances"], dtype=np.float64)
    k = len(weights)
    if family == "full":
        storage, covariances = "full", [np.ascontiguousarray(c) for c in covs]
    else:
        storage, covariances = "diagonal", [np.ascontiguousarray(c[None, :]) for c in covs]
    algorithm = daal4py.em_gmm(nComponents=k, maxIterations=iters, accuracyThreshold=0.0, covarianceStorage=storage)
    # Timed here, around compute() alone: the Python start, imports and the data load
    # vary by tenths of a second from run to run and would swamp short runs.
    cpu0, wall0 = time.process_time(), time.perf_counter()
    result = algorithm.compute(X, weights[None, :], means, covariances)
    compute_cpu, compute_wall = time.process_time() - cpu0, time.perf_counter() - wall0
    n_iter = int(np.asarray(result.nIterations).ravel()[0])
    final_weights = np.asarray(result.weights, dtype=np.float64).ravel()
    final_means = np.asarray(result.means, dtype=np.float64)
    final_covs = np.array([np.asarray(c, dtype=np.float64) for c in result.covariances])
    if family != "full":
        final_covs = final_covs.reshape(k, -1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        score = mean_log_likelihood(family, X, final_weights, final_means, final_covs)
    print(json.dumps({"ok": True, "mean_log_likelihood": score,
                      "lower_bound": float(np.asarray(result.goalFunction).ravel()[0]) / len(X),
                      "n_iter": n_iter, "threads": int(daal4py.num_threads()),
                      "compute_cpu": compute_cpu, "compute_wall": compute_wall,
                      "blas_core": f"oneDAL {version('daal4py')} (daal4py wheel): its own kernels and CPU dispatch, "
                                   "TBB threads"}))


if __name__ == "__main__":
    main()
