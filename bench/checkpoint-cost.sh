#!/usr/bin/env bash
# bench/checkpoint-cost.sh — what `gmm fit --checkpoint FILE --checkpoint-every 1` costs.
#
# Makes a 200 000 × 16 float64 .npy file (four overlapping blobs, NumPy seed
# 20261202) and a K = 16 full starting model (the k-means start, saved once, so
# the seconds of k-means do not blur the timings), then times `gmm fit
# --init-model START --tol 0` with --max-iter 0 (reading, final scoring pass)
# and --max-iter ITER,
# with and without a checkpoint after every iteration, RUNS times each,
# alternating. The per-iteration time is (median wall time at ITER − median at
# 0) / ITER. Environment: ITER (default 30), DIR (default /tmp/gmm-ckpt-bench), GMM (default the
# release build made here), RUNS (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${DIR:-/tmp/gmm-ckpt-bench}
RUNS=${RUNS:-3}
ITER=${ITER:-30}
mkdir -p "$DIR"
if [[ -z "${GMM:-}" ]]; then
    swift build -c release --product gmm >/dev/null
    GMM=$(swift build -c release --show-bin-path)/gmm
fi
DATA=$DIR/x200k16.npy
[[ -f $DATA ]] || python3 - "$DATA" <<'PY'
import sys, numpy as np
r = np.random.default_rng(20261202)
means = r.normal(0, 1, (4, 16))
x = means[r.integers(0, 4, 200000)] + r.normal(0, 1.3, (200000, 16))
np.save(sys.argv[1], x)
PY
START=$DIR/start.json
[[ -f $START ]] || "$GMM" fit "$DATA" -k 16 --covariance full --seed 1 --max-iter 0 -q -o "$START"
run() { # wall seconds of one fit
    local start end
    start=$(date +%s.%N)
    "$GMM" fit "$DATA" --init-model "$START" --tol 0 -q -o "$DIR/m.json" "$@"
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
declare -A times
for ((i = 0; i < RUNS; i++)); do
    times[plain0]+="$(run --max-iter 0) "
    times[plainN]+="$(run --max-iter $ITER) "
    times[ckptN]+="$(run --max-iter $ITER --checkpoint "$DIR/c.json" --checkpoint-every 1) "
done
for key in plain0 plainN ckptN; do
    echo "$key: ${times[$key]}→ median $(echo ${times[$key]} | tr ' ' '\n' | median) s"
done
p0=$(echo ${times[plain0]} | tr ' ' '\n' | median)
pN=$(echo ${times[plainN]} | tr ' ' '\n' | median)
cN=$(echo ${times[ckptN]} | tr ' ' '\n' | median)
echo "per iteration without checkpoints: $(echo "($pN - $p0) / $ITER" | bc -l | cut -c1-6) s"
echo "per iteration with --checkpoint-every 1: $(echo "($cN - $p0) / $ITER" | bc -l | cut -c1-6) s"
echo "checkpoint file: $(wc -c < "$DIR/c.json") bytes"
