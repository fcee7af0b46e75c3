"""Reference values for conditioning a Gaussian mixture, from gmr.

Run from the repository root:
    pip install gmr==2.0.3 numpy && python3 Tests/Fixtures/conditional/generate.py

For a 3-component, 4-feature full-covariance mixture (fixed seed) it records
gmr's `GMM.condition(indices, x)` (the conditional mixture's priors, means and
covariances) for several given sets and points, and `GMM.predict(indices, X)`
(the conditional mean) for a batch of rows. Writes conditional.json beside this file.
"""
import json, os, sys
import numpy as np
import gmr

rng = np.random.default_rng(20261129)
K, d = 3, 4
weights = rng.dirichlet(5 * np.ones(K))
means = rng.normal(0, 3, (K, d))
covariances = []
for _ in range(K):
    a = rng.normal(0, 1, (d, d))
    covariances.append(a @ a.T + 0.5 * np.eye(d))
covariances = np.array(covariances)
model = gmr.GMM(n_components=K, priors=weights, means=means, covariances=covariances)

cases = []
for given in ([0], [1, 3], [0, 1, 2]):
    for _ in range(3):
        x = rng.normal(0, 3, len(given))
        c = model.condition(np.array(given), x)
        cases.append({"given": given, "values": x.tolist(), "weights": c.priors.tolist(),
                      "means": c.means.tolist(), "covariances": c.covariances.tolist()})

rows = rng.normal(0, 3, (10, d))
predict = {"given": [0, 2], "rows": rows[:, [0, 2]].tolist(),
           "mean": model.predict(np.array([0, 2]), rows[:, [0, 2]]).tolist()}

out = {"generator": "Tests/Fixtures/conditional/generate.py", "gmr_version": gmr.__version__,
       "numpy_version": np.__version__, "weights": weights.tolist(), "means": means.tolist(),
       "covariances": covariances.tolist(), "cases": cases, "predict": predict}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "conditional.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1, allow_nan=False)
    f.write("\n")
print("wrote", path)
