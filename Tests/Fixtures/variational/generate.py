#!/usr/bin/env python3
"""Reference fixtures for the variational (Bayesian) mixture, made with scikit-learn's
BayesianGaussianMixture.

Run from the repository root (scikit-learn 1.9.1):

    python3 Tests/Fixtures/variational/generate.py

Writes Tests/Fixtures/variational/<dataset>.json for the data sets in
Tests/Fixtures/data/ (old-faithful, iris): for every covariance type x weight prior
(dirichlet_process, dirichlet_distribution) x K, one case holding

  init_resp            the initial responsibilities (n x K), drawn from a Dirichlet(1)
                       per row with numpy.random.default_rng(seed) where the seed is a
                       SHA-256 of the case name;
  priors               the priors scikit-learn derived (its defaults): weight
                       concentration, mean precision, mean, degrees of freedom, covariance;
  after[n]             for n in ITERATIONS: weights_, means_, covariances_,
                       weight_concentration_, mean_precision_, degrees_of_freedom_,
                       lower_bound_ and lower_bounds_ (per-iteration ELBO) after n
                       iterations with tol=0.

How the start is forced: scikit-learn draws the initial responsibilities in
BaseMixture._initialize_parameters and hands them to self._initialize(X, resp). We
replace _initialize_parameters on the instance by `lambda X, random_state, xp=None:
self._initialize(X, resp0)`, then call the ordinary fit(X) with max_iter=n, tol=0,
n_init=1, so the iterations, lower_bound_ and weights_ are scikit-learn's own code path
(fit then runs its final E-step, which does not change the parameters). As a check, the
script also iterates _e_step / _m_step / _compute_lower_bound by hand from
_initialize(X, resp0) and asserts the same per-iteration ELBO.
"""
import hashlib
import json
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import BayesianGaussianMixture

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "Tests/Fixtures/data"
OUT = ROOT / "Tests/Fixtures/variational"
COVARIANCE_TYPES = ["full", "diag", "spherical", "tied"]
PRIORS = ["dirichlet_process", "dirichlet_distribution"]
N_COMPONENTS = [1, 3, 6]
ITERATIONS = [1, 10]
REG_COVAR = 1e-6


def seed_for(*names):
    return int.from_bytes(hashlib.sha256("|".join(map(str, names)).encode()).digest()[:8], "little")


def read_csv(path):
    lines = path.read_text().strip().split("\n")
    return lines[0].split(","), np.array([[float(v) for v in ln.split(",")] for ln in lines[1:]])


def fitted(X, resp0, cov, prior, k, n_iter):
    bgm = BayesianGaussianMixture(n_components=k, covariance_type=cov, weight_concentration_prior_type=prior,
                                  max_iter=n_iter, tol=0.0, n_init=1, reg_covar=REG_COVAR, random_state=0)
    bgm._initialize_parameters = lambda X, random_state, xp=None: bgm._initialize(X, resp0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        bgm.fit(X)
    return bgm


def by_hand(X, resp0, cov, prior, k, n_iter):
    bgm = BayesianGaussianMixture(n_components=k, covariance_type=cov, weight_concentration_prior_type=prior,
                                  reg_covar=REG_COVAR)
    bgm._check_parameters(X)
    bgm._initialize(X, resp0)
    bounds = []
    for _ in range(n_iter):
        log_prob_norm, log_resp = bgm._e_step(X)
        bgm._m_step(X, log_resp)
        bounds.append(scalar(bgm._compute_lower_bound(log_resp, log_prob_norm)))
    return bounds


def scalar(v):
    """A float from a 0-d or 1-element array (K=1 gives shape (1,) bounds)."""
    return float(np.asarray(v, dtype=float).reshape(-1)[0])


def tolist(a):
    return np.asarray(a, dtype=float).tolist()


def main():
    for name in ["old-faithful", "iris"]:
        header, X = read_csv(DATA / f"{name}.csv")
        cases = []
        for cov in COVARIANCE_TYPES:
            for prior in PRIORS:
                for k in N_COMPONENTS:
                    rng = np.random.default_rng(seed_for(name, cov, prior, k))
                    resp0 = rng.dirichlet(np.ones(k), size=len(X))
                    case = {"covariance_type": cov, "weight_prior": prior, "n_components": k,
                            "init_resp": tolist(resp0), "after": []}
                    for n in ITERATIONS:
                        bgm = fitted(X, resp0, cov, prior, k, n)
                        hand = by_hand(X, resp0, cov, prior, k, n)
                        assert np.allclose(hand, [scalar(v) for v in bgm.lower_bounds_], rtol=1e-13, atol=0), (name, cov, prior, k)
                        wc = bgm.weight_concentration_
                        case["priors"] = {
                            "weight_concentration": float(bgm.weight_concentration_prior_),
                            "mean_precision": float(bgm.mean_precision_prior_),
                            "mean": tolist(bgm.mean_prior_),
                            "degrees_of_freedom": float(bgm.degrees_of_freedom_prior_),
                            "covariance": tolist(bgm.covariance_prior_),
                        }
                        case["after"].append({
                            "n_iter": n,
                            "weights": tolist(bgm.weights_),
                            "means": tolist(bgm.means_),
                            "covariances": tolist(bgm.covariances_),
                            "weight_concentration": [tolist(wc[0]), tolist(wc[1])] if prior == "dirichlet_process"
                            else [tolist(wc)],
                            "mean_precision": tolist(bgm.mean_precision_),
                            "degrees_of_freedom": tolist(np.atleast_1d(bgm.degrees_of_freedom_)),
                            "lower_bound": scalar(bgm.lower_bound_),
                            "lower_bounds": [scalar(v) for v in bgm.lower_bounds_],
                        })
                    cases.append(case)
        doc = {"sklearn_version": sklearn.__version__, "data": f"Tests/Fixtures/data/{name}.csv",
               "feature_names": header, "reg_covar": REG_COVAR, "cases": cases}
        (OUT / f"{name}.json").write_text(json.dumps(doc) + "\n")
        print(f"{name}: {len(cases)} cases")


if __name__ == "__main__":
    main()
