#!/usr/bin/env bash
# bench/online-checkpoint-cost.sh — what `gmm fit --online --checkpoint FILE --checkpoint-every 1` costs.
#
# Uses the data and the K = 16 full starting model of bench/checkpoint-cost.sh
# (run that first, or let this script make them the same way): 200 000 × 16
# rows, `--online --batch-size BATCH --epochs EPOCHS --init-model START` (no
# k-means, so the timings are the updates, the reading and the final scoring
# pass). Times whole runs with EPOCHS and with 1 epoch, with and without a
# checkpoint after every update, RUNS times each, alternating. Per-update time
# = (median at EPOCHS − median at 1) / (updates in the extra epochs).
# Environment: BATCH (default 8192), EPOCHS (default 5), RUNS (default 5),
# DIR (default /tmp/gmm-ckpt-bench), GMM (default the release build made here).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${DIR:-/tmp/gmm-ckpt-bench}
RUNS=${RUNS:-5}
BATCH=${BATCH:-8192}
EPOCHS=${EPOCHS:-5}
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
run() { # wall seconds of one online fit
    local start end
    start=$(date +%s.%N)
    "$GMM" fit "$DATA" --online --batch-size "$BATCH" --init-model "$START" -q -o "$DIR/m.json" "$@"
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
declare -A times
for ((i = 0; i < RUNS; i++)); do
    times[plain1]+="$(run --epochs 1) "
    times[plainN]+="$(run --epochs "$EPOCHS") "
    times[ckptN]+="$(run --epochs "$EPOCHS" --checkpoint "$DIR/c.json" --checkpoint-every 1) "
done
updates=$(python3 -c "import json; print(json.load(open('$DIR/m.json'))['n_iter'])")
per_epoch=$((updates / EPOCHS))
for key in plain1 plainN ckptN; do
    echo "$key: ${times[$key]}→ median $(echo ${times[$key]} | tr ' ' '\n' | median) s"
done
p1=$(echo ${times[plain1]} | tr ' ' '\n' | median)
pN=$(echo ${times[plainN]} | tr ' ' '\n' | median)
cN=$(echo ${times[ckptN]} | tr ' ' '\n' | median)
extra=$((updates - per_epoch))
echo "updates: $updates ($per_epoch per epoch)"
echo "per update without checkpoints: $(echo "($pN - $p1) / $extra" | bc -l | cut -c1-7) s"
echo "per update with --checkpoint-every 1 (all $updates saved): $(echo "($cN - $pN) / $updates" | bc -l | cut -c1-7) s more"
echo "checkpoint file: $(wc -c < "$DIR/c.json") bytes"
