"""Reference trajectories of EM with missing values (Ghahramani & Jordan, 1994), in numpy.

Run from the repository root:
    pip install numpy scipy && python3 Tests/Fixtures/missing/generate.py

A direct, row-by-row transcription, deliberately unlike the Swift code (which
groups rows by pattern and uses Cholesky factors): for each row, the observed
block's inverse by numpy, the marginal density by scipy, the conditional mean
and covariance of the missing values by explicit inverses. From a fixed
starting model it runs 8 EM iterations per covariance family with
scikit-learn's M-step conventions (soft counts + 10 eps, reg_covar on the
diagonal) and records the observed-data mean log-likelihood of every
iteration, the final parameters, their mean log-likelihood, P(c | x_o) and
log P(x_o) under the starting model, and the conditional-mean imputation under
the final full-covariance model. Writes missing.json beside this file.
"""
import json, os
import numpy as np
import scipy
from scipy.stats import multivariate_normal

rng = np.random.default_rng(20261130)
n, d, K = 150, 3, 2
true_means = np.array([[0.0, 0.0, 0.0], [3.0, 2.0, -1.0]])
true_covs = np.array([[[1.0, 0.5, 0.2], [0.5, 1.5, -0.3], [0.2, -0.3, 0.8]],
                      [[0.6, -0.2, 0.1], [-0.2, 0.9, 0.4], [0.1, 0.4, 1.2]]])
labels = rng.choice(K, size=n, p=[0.6, 0.4])
X = np.array([rng.multivariate_normal(true_means[k], true_covs[k]) for k in labels])
mask = rng.random((n, d)) < 0.25
mask[mask.all(axis=1), 0] = False          # every row keeps an observed value
X[mask] = np.nan

start_weights = np.array([0.5, 0.5])
start_means = np.array([[0.5, 0.5, 0.0], [2.0, 1.5, -0.5]])
start_cov = np.array([[2.0, 0.3, 0.0], [0.3, 2.0, 0.1], [0.0, 0.1, 2.0]])
reg = 1e-6
eps = 10 * np.finfo(float).eps


def family_start(kind):
    full = np.array([start_cov, 1.5 * start_cov])
    if kind == "full":
        return full
    if kind == "tied":
        return start_cov.copy()
    if kind == "diag":
        return np.array([np.diag(c) for c in full])
    return np.array([np.mean(np.diag(c)) for c in full])


def full_matrices(kind, cov):
    if kind == "full":
        return cov
    if kind == "tied":
        return np.array([cov] * K)
    if kind == "diag":
        return np.array([np.diag(v) for v in cov])
    return np.array([s * np.eye(d) for s in cov])


def e_step(weights, means, covs):
    """Per row: log P(x_o), P(c | x_o), conditional means x_hat[k] and covariances C[k] (d x d, zero on o)."""
    logp, resp, xhat, cond = [], [], [], []
    for x in X:
        o, m = ~np.isnan(x), np.isnan(x)
        lj = np.array([np.log(weights[k]) + multivariate_normal(means[k][o], covs[k][np.ix_(o, o)]).logpdf(x[o])
                       for k in range(K)])
        top = lj.max()
        lse = top + np.log(np.exp(lj - top).sum())
        logp.append(lse)
        resp.append(np.exp(lj - lse))
        xs, cs = [], []
        for k in range(K):
            inv = np.linalg.inv(covs[k][np.ix_(o, o)])
            full = x.copy()
            c = np.zeros((d, d))
            if m.any():
                smo = covs[k][np.ix_(m, o)]
                full[m] = means[k][m] + smo @ inv @ (x[o] - means[k][o])
                c[np.ix_(m, m)] = covs[k][np.ix_(m, m)] - smo @ inv @ smo.T
            xs.append(full)
            cs.append(c)
        xhat.append(xs)
        cond.append(cs)
    return np.array(logp), np.array(resp), np.array(xhat), np.array(cond)


def m_step(kind, resp, xhat, cond):
    nk = resp.sum(axis=0) + eps
    weights = nk / nk.sum()
    means = np.einsum("ik,ikj->kj", resp, xhat) / nk[:, None]
    scatter = np.array([sum(resp[i, k] * (np.outer(xhat[i, k] - means[k], xhat[i, k] - means[k]) + cond[i, k])
                            for i in range(n)) for k in range(K)])
    if kind == "full":
        cov = scatter / nk[:, None, None] + reg * np.eye(d)
    elif kind == "tied":
        cov = scatter.sum(axis=0) / nk.sum() + reg * np.eye(d)
    elif kind == "diag":
        cov = np.array([np.diag(s) / nk[k] + reg for k, s in enumerate(scatter)])
    else:
        cov = np.array([np.mean(np.diag(s) / nk[k] + reg) for k, s in enumerate(scatter)])
    return weights, means, cov


cases = []
final_full = None
for kind in ("full", "diag", "spherical", "tied"):
    weights, means, cov = start_weights.copy(), start_means.copy(), family_start(kind)
    start = {"weights": weights.tolist(), "means": means.tolist(), "covariances": cov.tolist()}
    trace = []
    for _ in range(8):
        logp, resp, xhat, cond = e_step(weights, means, full_matrices(kind, cov))
        trace.append(logp.mean())
        weights, means, cov = m_step(kind, resp, xhat, cond)
    logp, resp, xhat, cond = e_step(weights, means, full_matrices(kind, cov))
    cases.append({"covariance_type": kind, "start": start, "trace": trace,
                  "weights": weights.tolist(), "means": means.tolist(), "covariances": cov.tolist(),
                  "mean_log_likelihood": logp.mean()})
    if kind == "full":
        imputed = np.einsum("ik,ikj->ij", resp, xhat)
        final_full = imputed

logp, resp, _, _ = e_step(start_weights, start_means, full_matrices("full", family_start("full")))
out = {"generator": "Tests/Fixtures/missing/generate.py", "numpy_version": np.__version__,
       "scipy_version": scipy.__version__, "reg_covar": reg, "iterations": 8,
       "rows": [[None if np.isnan(v) else v for v in row] for row in X],
       "start_log_density": logp.tolist(), "start_responsibilities": resp.tolist(),
       "full_imputed": final_full.tolist(), "cases": cases}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "missing.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
