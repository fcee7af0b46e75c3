#!/usr/bin/env bash
# bench/scale.sh — larger-than-memory data and online EM, measured.
#
# 1. Generates 1e6 × 8 and 1e7 × 8 float64 .npy files (64 MB and 640 MB) from
#    a fixed four-component mixture with NumPy (seed 20261129), in pieces, so
#    the generator itself never holds the big file. The components overlap
#    (means drawn N(0, 1) per coordinate, standard deviations 1 to 1.9), so
#    that batch EM needs tens of iterations to converge.
# 2. Peak RSS (/usr/bin/time's "Maximum resident set size", which counts the
#    pages of the mapped file that are resident) of gmm fit (batch and
#    --online), predict and score on both: it must not grow with N.
# 3. If the machine lets us, runs fit, predict and score on the 640 MB file
#    under a 160 MB memory limit (systemd-run --scope -p MemoryMax, or a cgroup
#    v2 folder with the memory controller); otherwise says why not.
# 4. Online against batch EM on the 1e7 rows: batch EM to a tight tolerance
#    (--tol 1e-5; its per-iteration trace gives the time at which it came
#    within X of its own final log-likelihood), then online EM with a few
#    batch sizes and epochs: time, final mean log-likelihood, gap to batch,
#    and how long batch EM took to reach the same log-likelihood.
#
# Prints Markdown tables (bench/SCALE.md holds a recorded run). About 10–12
# minutes on the project's 2-core machine. Environment: SCALE_DIR (data and
# scratch, default /tmp/gmm-scale), GMM (the binary, default a release build
# made here), THREADS (default every core).
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=${SCALE_DIR:-/tmp/gmm-scale}
mkdir -p "$DIR"
if [[ -z "${GMM:-}" ]]; then
    swift build -c release --product gmm >&2
    GMM=$PWD/.build/release/gmm
fi
THREADS=${THREADS:-$(nproc)}
K=4

# ---------------------------------------------------------------- data
cat > "$DIR/generate.py" <<'EOF'
import sys
import numpy as np
n, out = int(float(sys.argv[1])), sys.argv[2]
rng = np.random.default_rng(20261129)
d, K = 8, 4
means = rng.normal(0, 1, size=(K, d))     # overlapping: batch EM needs tens of iterations
weights = np.array([0.4, 0.3, 0.2, 0.1])
array = np.lib.format.open_memmap(out, mode="w+", dtype="<f8", shape=(n, d))
for start in range(0, n, 1_000_000):
    m = min(1_000_000, n - start)
    z = rng.choice(K, size=m, p=weights)
    array[start:start + m] = means[z] + rng.normal(0, 1, size=(m, d)) * (1 + 0.3 * z[:, None])
array.flush()
EOF
for n in 1e6 1e7; do
    [[ -f "$DIR/n$n.npy" ]] || python3 "$DIR/generate.py" "$n" "$DIR/n$n.npy"
done

# Runs "$@" and prints "peak-RSS-MiB seconds" (or "failed" with the exit status).
measure() {
    local log="$DIR/time.log"
    if /usr/bin/time -f "%M %e" -o "$log" "$@" >/dev/null 2>"$DIR/stderr.log"; then
        awk '{ printf "%.0f %.2f", $1 / 1024, $2 }' "$log"
    else
        echo "failed($?)"
    fi
}

# A starting model, so that predict and score have something to use.
"$GMM" fit "$DIR/n1e6.npy" -k $K --max-iter 20 --threads "$THREADS" -q -o "$DIR/model.json"

echo "## Peak RSS (MiB) and wall time (s), float64 C-order .npy, d = 8, K = $K"
echo
echo "| command | N = 1e6 (64 MB file) | N = 1e7 (640 MB file) |"
echo "| --- | --- | --- |"
row() {
    local name=$1; shift
    local a b
    a=$(measure "$@" "$DIR/n1e6.npy" | awk '{ print $1 " MiB, " $2 " s" }')
    b=$(measure "$@" "$DIR/n1e7.npy" | awk '{ print $1 " MiB, " $2 " s" }')
    echo "| $name | $a | $b |"
}
# Argument order: the data file comes last (gmm accepts options anywhere).
row "fit (batch, --init random, 5 iterations)" "$GMM" fit -k $K --init random --max-iter 5 --tol 0 --threads "$THREADS" -q
row "fit (batch, k-means start, 5 iterations)" "$GMM" fit -k $K --max-iter 5 --tol 0 --threads "$THREADS" -q
row "fit --online --batch-size 65536" "$GMM" fit -k $K --online --batch-size 65536 --threads "$THREADS" -q
row "predict (to /dev/null)" "$GMM" predict -o /dev/null "$DIR/model.json"
row "score (to /dev/null)" "$GMM" score -o /dev/null "$DIR/model.json"
echo

# ---------------------------------------------------------------- memory limit
echo "## Under a memory limit of 160 MiB (the file is 640 MB)"
echo
limited=""
if command -v systemd-run >/dev/null && systemctl is-system-running >/dev/null 2>&1 \
        && systemd-run --quiet --scope -p MemoryMax=160M true 2>/dev/null; then
    limited="systemd-run --quiet --scope -p MemoryMax=160M -p MemorySwapMax=0"
elif [[ -w /sys/fs/cgroup/cgroup.subtree_control ]] && grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
    group=/sys/fs/cgroup/gmm-scale-$$
    echo +memory > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
    mkdir -p "$group" && echo 160M > "$group/memory.max"
    echo 0 > "$group/memory.swap.max" 2>/dev/null || true
    printf '#!/bin/sh\necho $$ > %s/cgroup.procs && exec "$@"\n' "$group" > "$DIR/in-cgroup.sh"
    chmod +x "$DIR/in-cgroup.sh"
    limited="$DIR/in-cgroup.sh"
else
    why="systemd is not PID 1 here ($(ps -p 1 -o comm= 2>/dev/null || echo unknown))"
    grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null \
        || why="$why, and the cgroup v2 hierarchy has no memory controller (cgroup v1 is mounted; its memory hierarchy belongs to the container runtime)"
    echo "Not available on this machine: $why. ulimit -v cannot stand in: it limits address space, and the"
    echo "mapping of the file alone is 640 MB of address space. The peak RSS above is the evidence instead:"
    echo "it counts every resident page of the mapped file, so a process whose peak RSS stays at a few dozen MiB"
    echo "never needs more memory than that, whatever the file size."
fi
if [[ -n "$limited" ]]; then
    echo "| command | peak RSS (MiB), seconds |"
    echo "| --- | --- |"
    for cmd in "fit -k $K --init random --max-iter 5 --tol 0 -q" "fit -k $K --online --batch-size 65536 -q" \
               "predict -o /dev/null $DIR/model.json" "score -o /dev/null $DIR/model.json"; do
        # shellcheck disable=SC2086
        echo "| gmm $cmd | $(measure $limited "$GMM" $cmd "$DIR/n1e7.npy") |"
    done
    [[ -n "${group:-}" ]] && rmdir "$group" 2>/dev/null || true
fi
echo

# ---------------------------------------------------------------- online against batch
echo "## Online against batch EM on N = 1e7 × 8, K = $K full, threads $THREADS"
echo
seconds() { /usr/bin/time -f "%e" -o "$DIR/time.log" "$@" >/dev/null 2>"$DIR/stderr.log"; cat "$DIR/time.log"; }
start_time=$(seconds "$GMM" fit "$DIR/n1e7.npy" -k $K --max-iter 0 --threads "$THREADS" -q -o "$DIR/batch0.json")
batch_time=$(seconds "$GMM" fit "$DIR/n1e7.npy" -k $K --tol 1e-5 --max-iter 200 --threads "$THREADS" -q -o "$DIR/batch.json")
python3 - "$DIR" "$start_time" "$batch_time" <<'EOF' > "$DIR/batch-summary.txt"
import json, sys
d, t0, t = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
m = json.load(open(f"{d}/batch.json"))
trace, final, n = m["log_likelihood_trace"], m["mean_log_likelihood"], m["n_iter"]
# --max-iter 0 costs the k-means start plus one scoring pass; each iteration costs the same pass.
per = (t - t0) / max(n, 1)
def reach(x):
    for i, v in enumerate(trace):          # trace[i]: the parameters after i iterations
        if final - v <= x:
            return t0 + i * per
    return t
print(final, t, n, per, reach(1e-2), reach(1e-3), reach(1e-4))
EOF
read -r batch_ll batch_t batch_n per r2 r3 r4 < "$DIR/batch-summary.txt"
echo "Batch EM (k-means start, --tol 1e-5): $batch_n iterations, ${batch_t} s, $(printf '%.2f' "$per") s per iteration;"
echo "final mean log-likelihood $batch_ll. It was within 1e-2 of that after $(printf '%.1f' "$r2") s, within 1e-3 after $(printf '%.1f' "$r3") s, within 1e-4 after $(printf '%.1f' "$r4") s (from its trace)."
echo
echo "| online run | seconds (incl. the final scoring pass) | mean log-likelihood | gap to batch | batch EM's time to the same log-likelihood |"
echo "| --- | --- | --- | --- | --- |"
for spec in "8192 1" "65536 1" "8192 3"; do
    read -r b e <<< "$spec"
    t=$(seconds "$GMM" fit "$DIR/n1e7.npy" -k $K --online --batch-size "$b" --epochs "$e" --threads "$THREADS" -q -o "$DIR/online.json")
    python3 - "$DIR" "$t" "$b" "$e" "$batch_ll" "$start_time" "$per" <<'EOF'
import json, sys
d, t, b, e, batch_ll, t0, per = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7])
ll = json.load(open(f"{d}/online.json"))["mean_log_likelihood"]
trace = json.load(open(f"{d}/batch.json"))["log_likelihood_trace"]
same = next((t0 + i * per for i, v in enumerate(trace) if v >= ll), None)
same_text = f"{same:.1f} s" if same is not None else "not reached: online ends higher"
print(f"| --batch-size {b} --epochs {e} | {t:.1f} | {ll:.6f} | {batch_ll - ll:.2e} | {same_text} |")
EOF
done
