"""mlpack peer for bench/compare.sh (full covariances only).

    python3 mlpack_gmm.py full DATA.npy START.json ITERATIONS

Debian 12 ships no mlpack package, so this uses mlpack's PyPI wheel (the C++
library behind its Python bindings, with its own bundled OpenBLAS). Its
`gmm_train` binding always calls GMM::Train(..., useExistingModel=false):
an `input_model` is NOT used as the EM start, k-means re-initialises it.
So mlpack cannot start from the shared model: it starts from k-means
(seed 1, KMEANS_ITERATIONS Lloyd steps, identical in the short and the long
run, so it cancels out of the per-iteration difference) and its final
log-likelihood is not comparable; the per-iteration cost of mlpack's EM does
not depend on the start. mlpack's EMFit counts from 1, so max_iterations =
ITERATIONS + 1 runs ITERATIONS updates, each an E-step, an M-step (with its
positive-definiteness check) and a log-likelihood pass.

(mlpack's DiagonalGMM hands its EM to Armadillo's gmm_diag, which the
Armadillo runner already measures, so there is no separate diag run.)
Prints one JSON line: mean log-likelihood of the final model, BLAS core.
"""
import ctypes
import glob
import json
import os
import sys

import numpy as np
import mlpack

KMEANS_ITERATIONS = 3


def core_name():
    libs = os.path.join(os.path.dirname(os.path.dirname(mlpack.__file__)), "mlpack.libs")
    for pattern in ("libopenblaso*", "libopenblasp*"):
        for path in sorted(glob.glob(os.path.join(libs, pattern))):
            try:
                lib = ctypes.CDLL(path)
                lib.openblas_get_corename.restype = ctypes.c_char_p
                return "OpenBLAS 0.3.15 (wheel) " + lib.openblas_get_corename().decode()
            except (OSError, AttributeError):
                pass
    return "unknown"


def main():
    family, data_path, _start_path, iters = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    if family != "full":
        sys.exit("mlpack_gmm.py: full covariances only")
    X = np.load(data_path)
    K = json.load(open(_start_path))["n_components"]
    out = mlpack.gmm_train(input_=X, gaussians=K, max_iterations=iters + 1, tolerance=0.0, seed=1,
                           kmeans_max_iterations=KMEANS_ITERATIONS)
    with np.errstate(divide="ignore"):
        p = mlpack.gmm_probability(input_=X, input_model=out["output_model"])["output"].ravel()
        mean_ll = float(np.mean(np.log(p)))
    print(json.dumps({"ok": True, "mean_log_likelihood": mean_ll, "n_iter": iters, "blas_core": core_name()}))


if __name__ == "__main__":
    main()
