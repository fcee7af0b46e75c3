"""scikit-learn peer for bench/compare.sh: EM from the shared starting model.

    python3 sklearn_gmm.py full|diag DATA.npy START.json ITERATIONS

GaussianMixture(weights_init, means_init, precisions_init = inverse of the
start's covariances, tol=0, max_iter=ITERATIONS, n_init=1, reg_covar=1e-6)
on one BLAS/OpenMP thread (threadpoolctl). Prints one JSON line:
score(X) after fit = mean log-likelihood of the final parameters (the same
quantity as gmm's mean_log_likelihood), lower_bound_, n_iter_, BLAS core.
"""
import json
import sys
import warnings

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture


def main():
    family, data_path, start_path, iters = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    X = np.load(data_path)
    with open(start_path) as f:
        start = json.load(f)
    weights = np.array(start["weights"], dtype=np.float64)
    means = np.array(start["means"], dtype=np.float64)
    covs = np.array(start["covariances"], dtype=np.float64)
    precisions = np.linalg.inv(covs) if family == "full" else 1.0 / covs
    with threadpool_limits(limits=1):
        core = ",".join(sorted({f"{i.get('internal_api')} {i.get('architecture')}" for i in threadpool_info()
                                if i.get("user_api") == "blas"})) or "unknown"
        gm = GaussianMixture(n_components=len(weights), covariance_type=family, tol=0.0, reg_covar=1e-6,
                             max_iter=iters, n_init=1, weights_init=weights, means_init=means,
                             precisions_init=precisions)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            gm.fit(X)
        score = float(gm.score(X))
    print(json.dumps({"ok": True, "mean_log_likelihood": score, "lower_bound": float(gm.lower_bound_),
                      "n_iter": int(gm.n_iter_), "blas_core": core}))


if __name__ == "__main__":
    main()
