#!/usr/bin/env python3
"""Checks that a `gmm` model file loads into scikit-learn as a fitted GaussianMixture.

Run from the repository root after building `gmm`:

    pip install scikit-learn==1.9.1 && python3 Tests/Fixtures/sklearn/load_model.py [GMM_BINARY]

GMM_BINARY defaults to .build/debug/gmm.  For several data sets and covariance models it
fits with `gmm fit -o`, loads the model file with `load_gmm` below (the snippet the README
shows), and compares scikit-learn's `predict_proba` and `score_samples` on the training
rows with `gmm predict --probabilities`, `gmm predict --details` (log_density) and
`gmm score`.  Every value must agree to 1e-12 (absolute, or relative to the value when it
is larger than 1).  It writes the largest differences it measured to
Tests/Fixtures/sklearn/load_model.json and exits 1 if any case is off.

mclust's ten other models (EII, EEI, …) are loaded as covariance_type="full": their file
holds full d×d `covariances` and full-shape `precisions_cholesky`.
"""
import json
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import sklearn
from sklearn.mixture import GaussianMixture

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "Tests/Fixtures/data"
OUT = ROOT / "Tests/Fixtures/sklearn/load_model.json"
TOLERANCE = 1e-12


# ---------------------------------------------------------------- the README snippet
def load_gmm(path):
    """A fitted scikit-learn GaussianMixture from a `gmm` model file."""
    m = json.load(open(path))
    kind = m["covariance_type"]
    if kind not in ("full", "diag", "spherical", "tied"):
        kind = "full"  # mclust's other models: K full d×d covariances
    gm = GaussianMixture(n_components=m["n_components"], covariance_type=kind)
    gm.weights_ = np.asarray(m["weights"])
    gm.means_ = np.asarray(m["means"])
    gm.covariances_ = np.asarray(m["covariances"])
    gm.precisions_cholesky_ = np.asarray(m["precisions_cholesky"])
    p = gm.precisions_cholesky_
    gm.precisions_ = (p @ np.swapaxes(p, -1, -2)) if kind in ("full", "tied") else p**2
    gm.n_features_in_ = m["n_features"]
    gm.converged_, gm.n_iter_ = m.get("converged", True), m.get("n_iter", 0)
    return gm
# ---------------------------------------------------------------- end of the snippet


CASES = [
    # (data set, K, covariance model[, extra fit flags])
    ("old-faithful", 2, "full"), ("old-faithful", 3, "diag"), ("old-faithful", 2, "spherical"),
    ("old-faithful", 3, "tied"), ("old-faithful", 2, "EVE"),
    ("iris", 3, "full"), ("iris", 3, "diag"), ("iris", 3, "spherical"), ("iris", 2, "tied"),
    ("iris", 3, "VEV"), ("iris", 3, "EEI"), ("iris", 2, "VII"),
    ("synthetic-5d", 4, "full"), ("synthetic-5d", 4, "tied"), ("synthetic-5d", 3, "EVV"),
    ("wdbc-mean", 2, "full"), ("wdbc-mean", 3, "diag"), ("wdbc-mean", 2, "VVE"),
    # --standardize writes the model in original units (spherical and EEI as diag, VEV as full)
    ("wdbc-mean", 2, "spherical", ["--standardize"]), ("wdbc-mean", 3, "VEV", ["--standardize"]),
    ("iris", 3, "EEI", ["--standardize"]),
]


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def table(text):
    lines = text.strip().split("\n")
    return lines[0].split(","), np.array([[float(v) for v in line.split(",")] for line in lines[1:]])


def worst(a, b):
    """max |a − b| / max(1, |b|)."""
    return float(np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b))))


def main():
    gmm = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / ".build/debug/gmm")
    results, failed = [], False
    with tempfile.TemporaryDirectory() as tmp:
        for name, k, kind, *extra in CASES:
            extra = extra[0] if extra else []
            data = DATA / f"{name}.csv"
            model = Path(tmp) / "model.json"
            run(gmm, "fit", str(data), "-k", str(k), "--covariance", kind, "--seed", "1", "-q", "-o", str(model), *extra)
            names, X = table(data.read_text())
            gm = load_gmm(model)
            _, proba = table(run(gmm, "predict", str(model), str(data), "--probabilities"))
            _, score = table(run(gmm, "score", str(model), str(data)))
            header, details = table(run(gmm, "predict", str(model), str(data), "--details"))
            case = {
                "data": f"Tests/Fixtures/data/{name}.csv", "n_components": k, "covariance": kind, "fit_flags": extra,
                "loaded_as": gm.covariance_type,
                "predict_proba": worst(gm.predict_proba(X), proba),
                "score_samples": worst(gm.score_samples(X), score[:, 0]),
                "details_log_density": worst(gm.score_samples(X), details[:, header.index("log_density")]),
                "predict": int(np.sum(gm.predict(X) != details[:, header.index("component")])),
            }
            ok = max(case["predict_proba"], case["score_samples"], case["details_log_density"]) <= TOLERANCE \
                and case["predict"] == 0
            failed = failed or not ok
            print(f"{'ok  ' if ok else 'FAIL'} {name} K={k} {kind} {' '.join(extra)}: predict_proba {case['predict_proba']:.1e}, "
                  f"score_samples {case['score_samples']:.1e}, details {case['details_log_density']:.1e}")
            results.append(case)
    record = {
        "generator": "Tests/Fixtures/sklearn/load_model.py",
        "sklearn_version": sklearn.__version__, "numpy_version": np.__version__,
        "python_version": platform.python_version(), "tolerance": TOLERANCE,
        "note": "largest |sklearn − gmm| / max(1, |gmm|) over the training rows; predict: rows whose label differs",
        "cases": results,
    }
    OUT.write_text(json.dumps(record, indent=1) + "\n")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
