#!/usr/bin/env bash
# bench/compare.sh — side-by-side EM benchmark: gmm against scikit-learn,
# Armadillo, mlpack and Intel oneDAL, same data, same start, same iteration count.
#
# Usage:
#   bench/compare.sh [--quick] [--reps R] [--cases 1,3] [--tools gmm,sklearn,armadillo,mlpack,onedal]
#                    [--gmm PATH] [--workdir DIR] [--output TABLE.md]
#
#   --quick     every case with N/10 rows (D and K kept), one repetition:
#               under two minutes once the peers are installed. Default is the
#               full run: the ten cases below, 3 repetitions (~30-40 minutes).
#   --reps R    repetitions per case (median reported).
#   --cases     run only these of the ten cases (1-based).
#   --tools     subset of tools (only these peers are installed).
#   --iters S,L short and long iteration counts for every case (default: per case).
#   --fast-span M  gmm and oneDAL run S and S + M·(L − S) iterations (default 4),
#               so that start-up noise weighs less; oneDAL's runner also times its
#               compute() call inside its process.
#   --gmm PATH  time this gmm binary instead of building one.
#   --workdir   data, starting models, runners, raw results
#               (default bench/.build-compare/, git-ignored by the .build* rule).
#   --output    also write the table (Markdown) to this file.
#   --label     text naming the gmm binary, printed in the table's header.
#
# Cases (fixed seed; data generated as .npy plus ONE shared starting model per
# case, in gmm's model-file format; all tools start from those numbers):
#   1. full, N = 100 000,   D = 2,  K = 4
#   2. full, N = 200 000,   D = 16, K = 16
#   3. full, N = 100 000,   D = 64, K = 32
#   4. full, N = 1 000 000, D = 8,  K = 8
#   5. diag, N = 1 000 000, D = 32, K = 64
#   and five shapes the speed work was not tuned on:
#   6. full, N = 200 000,   D = 8,   K = 8
#   7. full, N = 50 000,    D = 128, K = 4
#   8. full, N = 400 000,   D = 2,   K = 64
#   9. diag, N = 1 000 000, D = 4,   K = 8
#  10. diag, N = 200 000,   D = 32,  K = 16
#
# Method: per case and repetition, each tool runs in turn a short and a long EM
# run from the same start (tolerance 0); per-iteration time = (long − short) /
# iteration difference, so loading, set-up and the final scoring pass cancel.
# CPU seconds (user + system) and peak RSS come from wait4() on the child
# (via a small fork/exec helper, peers/rusage_exec.c),
# wall seconds from a monotonic clock. Everything runs on one thread
# (OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=1, threadpoolctl in scikit-learn,
# `gmm fit --threads 1`); gmm is also run with --threads 2, and oneDAL with
# 1 and 2 threads (it threads on its own: daal4py.daalinit). The table gives
# CPU and wall s/iter, gmm's speed-up over each peer, effective GFLOP/s
# (full: 4·N·K·D², diag: 8·N·K·D flops per iteration) and its share of the
# single-core DGEMM rate measured on the spot (numpy, 2000³), peak RSS, the
# mean log-likelihood of the final parameters and its relative difference to
# scikit-learn's (gmm's mean_log_likelihood vs score(X) after fit), and the
# BLAS kernels each tool ran on. With oneDAL, a second table per case: the
# floor (the flops at the DGEMM rate or one read of the data at the measured
# memory read rate, whichever is longer), gmm's share of it, and whether the
# case meets issue 17's target (2× oneDAL, or 75 % of the floor where 2×
# oneDAL would be below it).
#
# Peers (installed when missing; needs root for apt-get):
#   scikit-learn  PyPI (pip), GaussianMixture(weights_init, means_init,
#                 precisions_init, tol=0), bench/peers/sklearn_gmm.py
#   Armadillo     Debian libarmadillo-dev, gmm_full / gmm_diag with set_params
#                 and learn(keep_existing, km_iter=0, em_iter=N),
#                 bench/peers/arma_gmm.cpp compiled here with g++ -O2 -march=native
#   mlpack        PyPI wheel (Debian 12 has no mlpack package), full only,
#                 bench/peers/mlpack_gmm.py: its binding always re-initialises
#                 with k-means, so it cannot take the shared start (its
#                 per-iteration cost does not depend on the start; its
#                 log-likelihood is not compared)
#   oneDAL        PyPI daal4py==2024.7.0 in its own virtual environment
#                 (ONEDAL_VENV, default WORKDIR/onedal-venv, with numpy,
#                 scikit-learn<1.6 — daal4py 2024.7 does not import with newer
#                 ones —, packaging, threadpoolctl), daal4py.em_gmm from the
#                 same start, accuracyThreshold=0, bench/peers/onedal_gmm.py.
#                 It stops when its objective stops changing even at tolerance
#                 0, so its iterations are counted from its result; it adds no
#                 reg_covar, so its log-likelihood differs from scikit-learn's
#                 by that 1e-6's effect (1e-10 to 1e-8 relative on small cases;
#                 with reg_covar=0 the two agree to 1e-14)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
WORKDIR="$HERE/.build-compare"
GMM=""
TOOLS="gmm,sklearn,armadillo,mlpack,onedal"
PASS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --gmm) GMM="$2"; shift 2 ;;
    --workdir) WORKDIR="$2"; shift 2 ;;
    --quick) PASS+=("$1"); shift ;;
    --tools) TOOLS="$2"; PASS+=("$1" "$2"); shift 2 ;;
    --reps|--cases|--output|--label|--iters|--fast-span) PASS+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "compare.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$WORKDIR"
PY="${PYTHON:-python3}"

say() { echo "compare.sh: $*" >&2; }
wants() { [[ ",$TOOLS," == *",$1,"* ]]; }   # a peer is installed only when it is asked for

# ---- peers --------------------------------------------------------------
if ! "$PY" -c 'import numpy, sklearn, threadpoolctl' 2>/dev/null; then
  say "installing scikit-learn (PyPI)"
  "$PY" -m pip install --quiet scikit-learn threadpoolctl
fi
if wants mlpack && ! "$PY" -c 'import mlpack' 2>/dev/null; then
  say "installing mlpack (PyPI wheel)"
  "$PY" -m pip install --quiet mlpack || say "mlpack could not be installed: its column will be missing"
fi
ONEDAL_VENV="${ONEDAL_VENV:-$WORKDIR/onedal-venv}"
ONEDAL_PASS=()
onedal_ok() { "$ONEDAL_VENV/bin/python" -c 'import daal4py, sklearn, numpy' 2>/dev/null; }
if wants onedal && ! onedal_ok; then
  say "installing oneDAL (daal4py 2024.7.0 from PyPI) into $ONEDAL_VENV"
  { "$PY" -m venv "$ONEDAL_VENV" \
      && "$ONEDAL_VENV/bin/python" -m pip install --quiet "daal4py==2024.7.0" numpy "scikit-learn<1.6" packaging threadpoolctl; } \
    || say "oneDAL could not be installed: its rows will be missing"
fi
wants onedal && onedal_ok && ONEDAL_PASS=(--onedal-python "$ONEDAL_VENV/bin/python")
missing=()
wants armadillo && [[ ! -f /usr/include/armadillo ]] && missing+=(libarmadillo-dev)
[[ -f /usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h || -f /usr/include/openblas/cblas.h || -e /usr/lib/x86_64-linux-gnu/libopenblas.so ]] || missing+=(libopenblas-dev)
command -v g++ >/dev/null || missing+=(g++)
if [[ ${#missing[@]} -gt 0 ]]; then
  say "installing ${missing[*]} (apt-get)"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# ---- runners (rebuilt when their source changes) --------------------------
build() { # OUT SRC LIBS COMPILER [FLAGS...]
  local out="$1" src="$2" libs="$3"; shift 3
  if [[ ! -x "$out" || "$src" -nt "$out" ]]; then
    say "compiling $(basename "$src")"
    # shellcheck disable=SC2086
    "$@" -o "$out.tmp" "$src" $libs && mv "$out.tmp" "$out"
  fi
}
if wants armadillo; then
  build "$WORKDIR/arma_gmm" "$HERE/peers/arma_gmm.cpp" "-larmadillo" g++ -O2 -march=native -std=c++17
fi
build "$WORKDIR/corename" "$HERE/peers/corename.c" "-lopenblas" cc -O2
build "$WORKDIR/rusage_exec" "$HERE/peers/rusage_exec.c" "" cc -O2

# ---- gmm --------------------------------------------------------------------
if [[ -z "$GMM" ]]; then
  say "building gmm (release, .build-bench)"
  (cd "$ROOT" && swift build -c release --product gmm --scratch-path .build-bench >&2)
  GMM="$ROOT/.build-bench/release/gmm"
  LABEL="built from $(cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo 'the working tree')"
  PASS+=(--label "$LABEL")
fi

exec "$PY" "$HERE/compare.py" --workdir "$WORKDIR" --gmm "$GMM" --arma "$WORKDIR/arma_gmm" \
  --corename "$WORKDIR/corename" --rusage-exec "$WORKDIR/rusage_exec" "${ONEDAL_PASS[@]}" "${PASS[@]}"
