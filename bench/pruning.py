"""E-step pruning: skip rates and time per EM iteration, pruned (default) against `--exact`.

Usage:  python3 bench/pruning.py [--gmm .build/release/gmm] [--reps 3] [--workdir /tmp/gmm-pruning]
        [--cases separated,full-2d,diag-4d,full-16d] [--quick]

Each case is a data file plus one starting model (the benchmark's cases come from
compare.py's generator and start, so they are the files bench/compare.sh times, but the
iterations timed are later ones, 10-30, once components have moved apart; the separated
case is made here, from a start near the clusters). For each case and mode, `gmm fit --init-model START --max-iter M
--tol 0 --threads 1` runs for a short and a long M; time per iteration = (long − short)
/ (M_long − M_short), so loading and the final scoring pass cancel. CPU seconds are the
child's user + system time. The skip share is read from fit's summary line ("E-step
skipped: …"), over every pass of the long run, and also over the iterations between the
short and the long run (the iterations timed). The pruned and exact runs' final mean
log-likelihoods are printed with their relative difference. Medians over --reps.
Prints a Markdown table.
"""
import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import compare  # noqa: E402  (the benchmark's generator)

# name: (family, n, d, K, (short, long) iterations)
CASES = {
    "separated": ("full", 400_000, 2, 64, (2, 12)),
    "full-2d": ("full", 400_000, 2, 64, (20, 30)),
    "diag-4d": ("diag", 1_000_000, 4, 8, (20, 30)),
    "full-16d": ("full", 200_000, 16, 16, (10, 15)),
}


def separated(workdir, n, d, k):
    """64 clusters on an 8×8 grid, 12 standard deviations apart, rows shuffled; the start is the
    kind a k-means start gives: uniform weights, each cluster's centre moved by N(0, 0.5²) per
    coordinate, identity covariances."""
    stem = os.path.join(workdir, f"separated_{n}x{d}_k{k}_v2")
    paths = {"data": stem + ".npy", "start": stem + ".start.json"}
    if all(os.path.exists(p) for p in paths.values()):
        return paths
    rng = np.random.default_rng([20261203, n, d, k])
    side = int(round(k ** 0.5))
    mu = np.array([[12.0 * (j % side), 12.0 * (j // side)] for j in range(k)])
    labels = rng.integers(0, k, size=n)
    X = mu[labels] + rng.standard_normal((n, d)) @ np.array([[1.0, 0.0], [0.3, 0.8]]).T
    start = {"format": "gmm-model", "version": 1, "covariance_type": "full", "n_components": k, "n_features": d,
             "weights": [1.0 / k] * k, "means": (mu + rng.normal(0.0, 0.5, size=mu.shape)).tolist(),
             "covariances": np.repeat(np.eye(d)[None], k, axis=0).tolist()}
    np.save(paths["data"], np.ascontiguousarray(X, dtype="<f8"))
    with open(paths["start"], "w") as f:
        json.dump(start, f)
    return paths


def run(gmm, paths, family, k, iters, exact):
    cmd = [gmm, "fit", paths["data"], "--init-model", paths["start"], "-k", str(k), "--covariance", family,
           "--max-iter", str(iters), "--tol", "0", "--threads", "1"] + (["--exact"] if exact else [])
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    env.pop("GMM_EXACT", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    skip = re.search(r"E-step skipped:\s+([0-9.eE+-]+) %.*repeated exactly: (\d+)", out.stderr)
    ll = float(re.search(r"mean log-likelihood: (\S+)", out.stderr).group(1))
    return wall, cpu, (float(skip.group(1)) if skip else 0.0), (int(skip.group(2)) if skip else 0), ll


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gmm", default=os.path.join(HERE, "..", ".build", "release", "gmm"))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--workdir", default="/tmp/gmm-pruning")
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--quick", action="store_true", help="a tenth of the rows, one repetition")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    rows = []
    for name in args.cases.split(","):
        family, n, d, k, (short, long) = CASES[name]
        if args.quick:
            n //= 10
        reps = 1 if args.quick else args.reps
        paths = separated(args.workdir, n, d, k) if name == "separated" else compare.generate(args.workdir, family, n, d, k)
        result = {}
        for exact in (False, True):
            per_iter_wall, per_iter_cpu, shares, window, repeats, lls = [], [], [], [], [], []
            for _ in range(reps):
                ws, cs, ss, rs, _ = run(args.gmm, paths, family, k, short, exact)
                wl, cl, sl, rl, ll = run(args.gmm, paths, family, k, long, exact)
                per_iter_wall.append((wl - ws) / (long - short))
                per_iter_cpu.append((cl - cs) / (long - short))
                shares.append(sl)
                # Passes: one per iteration plus the final scoring pass (n·K pairs each).
                window.append((sl * (long + 1) - ss * (short + 1)) / (long - short))
                repeats.append(rl)
                lls.append(ll)
            result[exact] = dict(wall=statistics.median(per_iter_wall), cpu=statistics.median(per_iter_cpu),
                                 share=statistics.median(shares), window=statistics.median(window),
                                 repeats=max(repeats), ll=lls[0])
            print(f"{name} {'exact' if exact else 'pruned'}: {result[exact]}", file=sys.stderr)
        p, e = result[False], result[True]
        rows.append(f"| {name} | {family} {n}×{d} K{k} | {short}→{long} | {p['share']:.1f} % | {p['window']:.1f} % "
                    f"| {p['repeats']} | {p['cpu']:.4f} | {e['cpu']:.4f} | {e['cpu'] / p['cpu']:.2f}× "
                    f"| {p['wall']:.4f} | {e['wall']:.4f} | {abs(p['ll'] - e['ll']) / abs(e['ll']):.1e} |")
    print("| case | shape | iterations | skipped (whole fit) | skipped (timed iterations) | passes repeated "
          "| pruned CPU s/iter | exact CPU s/iter | speed-up | pruned wall s/iter | exact wall s/iter "
          "| mean log-lik. rel. diff. |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
