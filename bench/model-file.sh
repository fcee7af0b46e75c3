#!/usr/bin/env bash
# bench/model-file.sh — how fast model files are read and written, and what
# they cost the commands that start from one.
#
# Usage:
#   bench/model-file.sh [--gmm PATH] [--bench PATH] [--workdir DIR] [--reps R]
#
#   --gmm PATH    time this gmm binary (default: build one, release, .build-bench)
#   --bench PATH  this gmm-bench binary (default: build one beside gmm)
#   --workdir DIR the model and data files (default bench/.build-model-file/)
#   --reps R      runs per command, the median is printed (default 7)
#
# What it does:
#   1. makes the K = 32, d = 64 full-covariance model with gmm itself: awk
#      writes 6 400 rows around 32 random centres (fixed seed), `gmm fit -k 32
#      --max-iter 3` fits them (about 2.9 MB of JSON); `gmm sample` draws
#      1 000 rows (small.npy) and 100 000 rows (data.npy) from it;
#   2. `gmm-bench model-file`: encode, write and read MB/s in process (median
#      of 11, wall and CPU seconds), for the same size of model and for a
#      checkpoint file;
#   3. wall and CPU (user + system) seconds, median of R runs, of
#        gmm --version                                   (process start-up alone)
#        gmm info M
#        gmm predict M small.npy / score M small.npy     (the model's cost: 1 000 rows are nothing)
#        gmm fit small.npy --init-model M --max-iter 0   (read M, one E-step, write M)
#        gmm score M data.npy                            (one E-step of 100 000 rows, every core, for scale)
#      and prints each command's time above `gmm --version`.
# On a shared machine the CPU seconds are the steadier figures.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
WORKDIR="$HERE/.build-model-file"
GMM=""
BENCH=""
REPS=7
while [[ $# -gt 0 ]]; do
  case "$1" in
    --gmm) GMM="$2"; shift 2 ;;
    --bench) BENCH="$2"; shift 2 ;;
    --workdir) WORKDIR="$2"; shift 2 ;;
    --reps) REPS="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "model-file.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
say() { echo "model-file.sh: $*" >&2; }
mkdir -p "$WORKDIR"

if [[ -z "$GMM" || -z "$BENCH" ]]; then
  say "building gmm and gmm-bench (release, .build-bench)"
  (cd "$ROOT" && swift build -c release --product gmm --scratch-path .build-bench >&2 \
     && swift build -c release --product gmm-bench --scratch-path .build-bench >&2)
  GMM="${GMM:-$ROOT/.build-bench/release/gmm}"
  BENCH="${BENCH:-$ROOT/.build-bench/release/gmm-bench}"
fi

# ---- the model and the data, made by gmm ----------------------------------
M="$WORKDIR/model-k32-d64.json"
if [[ ! -s "$M" || ! -s "$WORKDIR/data.npy" || ! -s "$WORKDIR/small.npy" ]]; then
  say "making the K = 32, d = 64 model"
  awk 'BEGIN { srand(17); d = 64; K = 32
         for (k = 0; k < K; k++) for (j = 0; j < d; j++) c[k, j] = 8 * (rand() - 0.5)
         for (j = 0; j < d; j++) printf "%sx%d", (j ? "," : ""), j; print ""
         for (i = 0; i < 6400; i++) {
           k = int(rand() * K); line = ""
           for (j = 0; j < d; j++) {
             u = rand(); v = rand(); z = sqrt(-2 * log(u + 1e-300)) * cos(6.283185307179586 * v)
             line = line (j ? "," : "") sprintf("%.6f", c[k, j] + z)
           }
           print line
         } }' > "$WORKDIR/train.csv"
  "$GMM" fit "$WORKDIR/train.csv" -k 32 --max-iter 3 --seed 1 -q -o "$M"
  "$GMM" sample "$M" -n 1000 --seed 2 -o "$WORKDIR/small.npy"
  "$GMM" sample "$M" -n 100000 --seed 3 -o "$WORKDIR/data.npy"
fi
BYTES=$(wc -c < "$M")

# ---- in-process rates ---------------------------------------------------------
say "gmm-bench model-file"
RATES=$(cd "$ROOT" && "$BENCH" model-file)

# ---- the commands ---------------------------------------------------------------
# median_time CMD...: "wall cpu" seconds, medians of REPS runs (after one warm-up).
median_time() {
  python3 - "$REPS" "$@" <<'EOF'
import os, resource, statistics, subprocess, sys, time
reps, cmd = int(sys.argv[1]), sys.argv[2:]
def once():
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
once()
runs = [once() for _ in range(reps)]
print(f"{statistics.median(w for w, _ in runs):.4f} {statistics.median(c for _, c in runs):.4f}")
EOF
}
OUT="$WORKDIR/out.json"
declare -A WALL CPU
run() { # NAME CMD...
  local name="$1"; shift
  read -r WALL[$name] CPU[$name] < <(median_time "$@")
}
say "timing the commands ($REPS runs each)"
run version "$GMM" --version
run info "$GMM" info "$M"
run predict "$GMM" predict "$M" "$WORKDIR/small.npy" -o /dev/null
run score "$GMM" score "$M" "$WORKDIR/small.npy" -o /dev/null
run fit0 "$GMM" fit "$WORKDIR/small.npy" --init-model "$M" --max-iter 0 -q -o "$OUT"
run estep "$GMM" score "$M" "$WORKDIR/data.npy" -o /dev/null

# ---- report ---------------------------------------------------------------------
python3 - "$BYTES" "$RATES" <<EOF
import json, sys
size = int(sys.argv[1]); r = json.loads(sys.argv[2])
print(f"model: K = 32, d = 64, full covariances, {size / 1e6:.2f} MB ($M)")
print(f"machine: {r['machine']}; load average {open('/proc/loadavg').read().split()[0]} when measured")
print()
print("in process (gmm-bench model-file, median of %d; MB/s of wall time, and of CPU time):" % r["runs"])
for name, label in (("encode", "encode (bytes in memory)"), ("write", "write (encode + temp file + rename)"),
                    ("read", "read (file -> validated GaussianMixture)"),
                    ("checkpoint_write", "checkpoint write (%.1f MB)" % (r["checkpoint_bytes"] / 1e6)),
                    ("checkpoint_read", "checkpoint read")):
    print(f"  {label:42s} {r[name + '_s'] * 1e3:8.1f} ms {r[name + '_mb_per_s']:8.1f} MB/s   "
          f"CPU {r[name + '_cpu_s'] * 1e3:7.1f} ms {r[name + '_mb_per_cpu_s']:8.1f} MB/s")
print(f"  of the read, building the mixture (checks, Cholesky factors): {r['read_building_mixture_cpu_s'] * 1e3:.1f} ms CPU")
print(f"  read back identical to the bit: {r['read_back_identical']}")
print()
wall = dict(version=${WALL[version]}, info=${WALL[info]}, predict=${WALL[predict]}, score=${WALL[score]},
            fit0=${WALL[fit0]}, estep=${WALL[estep]})
cpu = dict(version=${CPU[version]}, info=${CPU[info]}, predict=${CPU[predict]}, score=${CPU[score]},
           fit0=${CPU[fit0]}, estep=${CPU[estep]})
print("commands (median of $REPS; 'over start-up' subtracts gmm --version):")
print(f"  {'command':58s} {'wall s':>8s} {'CPU s':>8s} {'wall over start-up':>19s} {'CPU over start-up':>18s}")
for key, label in (("version", "gmm --version (process start-up)"), ("info", "gmm info M"),
                   ("predict", "gmm predict M small.npy (1 000 rows)"),
                   ("score", "gmm score M small.npy (1 000 rows)"),
                   ("fit0", "gmm fit small.npy --init-model M --max-iter 0 -o out"),
                   ("estep", "gmm score M data.npy (100 000 rows: one E-step, for scale)")):
    extra = "" if key == "version" else f"{wall[key] - wall['version']:19.3f} {cpu[key] - cpu['version']:18.3f}"
    print(f"  {label:58s} {wall[key]:8.3f} {cpu[key]:8.3f} {extra}")
EOF
