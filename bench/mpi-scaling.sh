#!/usr/bin/env bash
# Strong and weak scaling of gmm-mpi's EM loop on this machine (bench/MPI.md):
# per-iteration time for 1, 2 and 3 local ranks on a fixed number of rows
# (strong) and with rows proportional to ranks (weak), the share of the time
# spent in MPI_Allreduce, and the Allreduce of the statistics vector alone.
#
#   bench/mpi-scaling.sh [ROWS D K ITERATIONS REPEATS]     (defaults 300000 8 8 10 5)
#
# Installs Open MPI if missing, builds gmm-mpi-bench in release mode, prints
# one JSON line per run (see mpi/Sources/gmm-mpi-bench/main.swift), each
# preceded by the load average. Ranks beyond the cores oversubscribe them.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-300000}; d=${2:-8}; k=${3:-8}; iterations=${4:-10}; repeats=${5:-5}
scripts/setup-mpi
swift build --package-path mpi -c release --product gmm-mpi-bench >&2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
bench=mpi/.build/release/gmm-mpi-bench
for ranks in 1 2 3; do
    echo "# strong, $(cut -d' ' -f1-3 /proc/loadavg)"
    mpirun --oversubscribe -np "$ranks" "$bench" $((rows / ranks)) "$d" "$k" "$iterations" "$repeats"
done
for ranks in 1 2 3; do
    echo "# weak, $(cut -d' ' -f1-3 /proc/loadavg)"
    mpirun --oversubscribe -np "$ranks" "$bench" $((rows / 2)) "$d" "$k" "$iterations" "$repeats"
done
