#!/usr/bin/env python3
"""Clustering quality against known classes (issue 16): adjusted Rand index of
`gmm select`'s default choice, R mclust's `Mclust()` defaults and scikit-learn's
best-BIC GaussianMixture (four covariance types, K = 1..9, n_init = 5).

Needs: the built `gmm` (GMM env var or .build/release/gmm or .build/debug/gmm),
Rscript with r-cran-mclust, and scikit-learn. Data: iris and banknote from
Tests/Fixtures/data, Wisconsin breast cancer (mclust's wdbc, its ten *_mean features) and
wine (scikit-learn's copy of the UCI set, standardised as in the issue).

    python3 bench/clustering-quality.py
"""
import csv, os, subprocess, sys, tempfile
import numpy as np
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture
from sklearn.datasets import load_wine

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
gmm = os.environ.get("GMM") or next(p for p in (f"{root}/.build/release/gmm", f"{root}/.build/debug/gmm") if os.path.exists(p))
work = tempfile.mkdtemp()

def labelled(path, label):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    names = [k for k in rows[0] if k != label]
    return np.array([[float(r[k]) for k in names] for r in rows]), [r[label] for r in rows], names

def wdbc():
    out = f"{work}/wdbc-all.csv"
    # The ten *_mean features: on all thirty, EVE's and VVE's inner iterations make both
    # `gmm select` and `Mclust()` run for more than a quarter of an hour.
    subprocess.run(["Rscript", "-e", f"library(mclust); data(wdbc); w <- wdbc[, c(2, 3:12)]; "
                    f"write.csv(w, '{out}', row.names = FALSE)"],
                   check=True, capture_output=True)
    return labelled(out, "Diagnosis")

def wine():
    w = load_wine()
    x = (w.data - w.data.mean(0)) / w.data.std(0, ddof=1)
    return x, list(w.target), [f"f{j}" for j in range(x.shape[1])]

sets = {
    "iris": labelled(f"{root}/Tests/Fixtures/data/iris-species.csv", "species"),
    "banknote": labelled(f"{root}/Tests/Fixtures/data/banknote.csv", "status"),
    "wine (standardised)": wine(),
    "wdbc (10 mean features)": wdbc(),
}

print(f"| data | n × d | classes | gmm select (model, K) | ARI | mclust Mclust() | ARI | scikit-learn best BIC | ARI |")
print("| --- | --- | --- | --- | ---: | --- | ---: | --- | ---: |")
for name, (x, truth, names) in sets.items():
    path = f"{work}/data.csv"
    np.savetxt(path, x, delimiter=",", header=",".join(names), comments="", fmt="%.17g")
    model = f"{work}/model.json"
    subprocess.run([gmm, "select", path, "-o", model], check=True, capture_output=True)
    pred = subprocess.run([gmm, "predict", model, path], check=True, capture_output=True, text=True).stdout.split("\n")[1:]
    ours = [int(line.split(",")[0]) for line in pred if line]
    import json
    m = json.load(open(model))
    ours_name = f"{m['covariance_type']}, {len(m['weights'])}"
    r = subprocess.run(["Rscript", "-e", f"library(mclust); x <- read.csv('{path}'); m <- Mclust(x, verbose = FALSE); "
                        "cat(m$modelName, m$G, '\\n'); cat(m$classification, '\\n')"], check=True, capture_output=True, text=True).stdout.split("\n")
    mclust_name = ", ".join(r[0].split())
    theirs = [int(v) for v in r[1].split()]
    best = min(((GaussianMixture(k, covariance_type=c, n_init=5, random_state=0).fit(x), c, k)
                for c in ("full", "diag", "spherical", "tied") for k in range(1, 10)), key=lambda t: t[0].bic(x))
    sk = best[0].predict(x)
    print(f"| {name} | {x.shape[0]} × {x.shape[1]} | {len(set(truth))} | {ours_name} | {adjusted_rand_score(truth, ours):.3f} | "
          f"{mclust_name} | {adjusted_rand_score(truth, theirs):.3f} | {best[1]}, {best[2]} | {adjusted_rand_score(truth, sk):.3f} |")
    sys.stdout.flush()
