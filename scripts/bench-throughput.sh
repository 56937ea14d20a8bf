#!/usr/bin/env bash
# Throughput benchmark (issues 4 and 15): `dich translate` over N generated articles
# (from the sample article, every sentence distinct) into en, ko and zh-Hans against
# the local mock DeepL of examples/mock_deepl.rs, which answers every request after a
# fixed latency and refuses (429) requests beyond a concurrency cap.
#
# First it shows that the mock is not the limit: a trivial client (the same example)
# against the same server settings, and the mock's capacity without latency. Then, per
# N, it prints the requests, the wall time, the ideal bound (requests × latency ÷
# concurrency), the ratio ideal ÷ time, and the peak memory (max RSS).
#
# usage: scripts/bench-throughput.sh [N ...]        (default: 1000)
# env:   LATENCY_MS (50), CONCURRENCY (8), BATCH (50), PORT (random),
#        BENCH_DIR (target/bench-throughput: the project's disk, not tmpfs),
#        MOCK=python to use the old scripts/mock_deepl.py instead,
#        RUNS=k to run each N k times, each on a fresh copy of the same articles,
#        and print the median ratio (one run varies by a few points on a shared
#        machine),
#        TIMINGS=1 to print `dich translate --timings` (where the time went),
#        KEEP=1 to keep the work folder. Leave a minute between runs (or keep the
#        folders and delete them afterwards): ext4 is slow to hand out inodes freed
#        in the last minute, and a run right after deleting the previous one's
#        files measures the file system (docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
LATENCY_MS=${LATENCY_MS:-50}
CONCURRENCY=${CONCURRENCY:-8}
BATCH=${BATCH:-50}
RUNS=${RUNS:-1}
# A random port by default: other benchmarks may run on the same machine.
PORT=${PORT:-$((20000 + RANDOM % 20000))}
MOCK=${MOCK:-rust}
SIZES=("$@")
[ $# -eq 0 ] && SIZES=(1000)
# Absolute, so that a relative or an absolute $CARGO_TARGET_DIR both work below.
target=$(realpath -m "${CARGO_TARGET_DIR:-target}")

#        DICH=path/to/dich to measure another build (nothing is built then).
if [ -z "${DICH:-}" ]; then
  cargo build --release --quiet --bin dich --example mock_deepl
  DICH=$target/release/dich
fi
MOCK_BIN=$target/release/examples/mock_deepl
SAMPLE=$PWD/content/tin-tuc/tong-ket-thong-tin-doi-ngoai-2016-2020.md
# On the project's disk by default: content teams do not keep their repositories in
# memory, and creating thousands of files costs real kernel time on ext4.
BASE=${BENCH_DIR:-$target/bench-throughput}
mkdir -p "$BASE"
WORK=$(mktemp -d -p "$BASE")
MOCK_PID=""
trap '[ -n "$MOCK_PID" ] && kill $MOCK_PID 2>/dev/null; [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"' EXIT
echo "work folder: $WORK ($(df -T "$WORK" | awk 'NR==2 {print $2}')), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

start_mock() { # PORT LATENCY LIMIT
  if [ "$MOCK" = python ]; then
    python3 scripts/mock_deepl.py "$1" "$2" "$3" >"$WORK/mock-$1.json" &
  else
    "$MOCK_BIN" serve "$1" "$2" "$3" >"$WORK/mock-$1.json" &
  fi
  MOCK_PID=$!
  for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "the mock did not start on port $1" >&2
  exit 1
}
stop_mock() { kill "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null || true; MOCK_PID=""; }

# 1. The mock is not the limit.
echo "== mock server ($MOCK): a trivial client"
start_mock $((PORT + 1)) 0 1000
printf "capacity, no latency, 64 clients: "
LATENCY_MS=0 "$MOCK_BIN" client "http://127.0.0.1:$((PORT + 1))" 4000 64 | sed 's/.*time/time/'
stop_mock
start_mock $((PORT + 1)) "$LATENCY_MS" "$CONCURRENCY"
printf "as benchmarked (%s ms, cap %s): " "$LATENCY_MS" "$CONCURRENCY"
LATENCY_MS=$LATENCY_MS "$MOCK_BIN" client "http://127.0.0.1:$((PORT + 1))" 800 "$CONCURRENCY" | sed 's/.*time/time/'
stop_mock

# 2. dich.
echo "== dich translate, concurrency $CONCURRENCY, $BATCH segments per request, $LATENCY_MS ms"
start_mock "$PORT" "$LATENCY_MS" "$CONCURRENCY"
printf "%6s %4s %9s %9s %9s %9s %8s %10s\n" N run requests segments "time s" "ideal s" "% ideal" "max RSS MB"
for n in "${SIZES[@]}"; do
  src="$WORK/p$n/src"
  mkdir -p "$src"
  python3 scripts/gen_articles.py "$SAMPLE" "$src/content" "$n"
  cat >"$src/config.toml" <<TOML
[project]
source = "vi"
targets = ["en", "ko", "zh-Hans"]

[backend]
kind = "deepl"
base_url = "http://127.0.0.1:$PORT"
api_key_env = "BENCH_DEEPL_KEY"
tag_handling = true
concurrency = $CONCURRENCY
max_segments_per_request = $BATCH

# The mock echoes its input: the QA gate would hold every answer as untranslated.
[qa]
enabled = false
TOML
  for run in $(seq "$RUNS"); do
    # A fresh copy per run (no memory, no translations), written to disk before the
    # clock starts, so the run does not wait for it.
    dir="$WORK/p$n/run$run"
    cp -r "$src" "$dir"
    sync
    extra=()
    [ "${TIMINGS:-0}" = 1 ] && extra=(--timings)
    start=$(date +%s.%N)
    BENCH_DEEPL_KEY=bench /usr/bin/time -f "%M" -o "$dir/rss" \
      "$DICH" translate --config "$dir/config.toml" --json "${extra[@]}" >"$dir/summary.json" 2>"$dir/log"
    end=$(date +%s.%N)
    python3 - "$dir" "$start" "$end" "$LATENCY_MS" "$CONCURRENCY" "$n" "$run" <<'PY'
import json, sys
d, start, end, latency, conc, n, run = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
s = json.load(open(f"{d}/summary.json"))
rss = int(open(f"{d}/rss").read().split()[-1]) / 1024
took = end - start
ideal = s["requests"] * latency / 1000 / conc
assert s["failed"] == 0, s["failures"][:3]
print(f"{n:6d} {run:4d} {s['requests']:9d} {s['segments_sent']:9d} {took:9.2f} {ideal:9.2f} {100*ideal/took:7.1f}% {rss:10.1f}")
with open(f"{d}/../ratios", "a") as out:
    print(100 * ideal / took, file=out)
PY
    [ "${TIMINGS:-0}" = 1 ] && grep -v '^\s*$' "$dir/log" | grep -A40 -i timings || true
  done
  if [ "$RUNS" -gt 1 ]; then
    python3 - "$WORK/p$n/ratios" "$n" <<'PY'
import statistics, sys
ratios = [float(line) for line in open(sys.argv[1])]
print(f"{sys.argv[2]:>6} median of {len(ratios)} runs: {statistics.median(ratios):.1f}% "
      f"(from {min(ratios):.1f} to {max(ratios):.1f}%)")
PY
  fi
done
stop_mock
cat "$WORK"/mock-"$PORT".json | sed 's/^/mock: /'
