#!/usr/bin/env bash
# Throughput benchmark (issue 4): `dich translate` over N generated articles (from the
# sample article, every sentence distinct) against a local mock DeepL that answers
# every request after a fixed latency and refuses requests beyond a concurrency limit.
# Reports wall time against the ideal lower bound (requests × latency ÷ concurrency)
# and the peak memory (max RSS).
#
# usage: scripts/bench-throughput.sh [N ...]        (default: 100 1000)
# env:   LATENCY_MS (50), CONCURRENCY (8), BATCH (50), PORT (18431)
set -euo pipefail
cd "$(dirname "$0")/.."
LATENCY_MS=${LATENCY_MS:-50}
CONCURRENCY=${CONCURRENCY:-8}
BATCH=${BATCH:-50}
PORT=${PORT:-18431}
SIZES=("${@:-100 1000}")
[ $# -eq 0 ] && SIZES=(100 1000)

cargo build --release --quiet
DICH=$PWD/target/release/dich
SAMPLE=$PWD/content/tin-tuc/tong-ket-thong-tin-doi-ngoai-2016-2020.md
# The work folder is on tmpfs when there is one: the figure is the pipeline's, not the
# disk's (on this machine's ext4, creating 3,000 files costs seconds of kernel time).
WORK=$(mktemp -d -p "${BENCH_DIR:-$( [ -d /dev/shm ] && echo /dev/shm || echo /tmp)}")
trap 'kill $MOCK 2>/dev/null || true; rm -rf "$WORK"' EXIT

python3 scripts/mock_deepl.py "$PORT" "$LATENCY_MS" "$CONCURRENCY" >"$WORK/mock.json" &
MOCK=$!
sleep 0.5

printf "%6s %9s %9s %9s %9s %8s %10s\n" N requests segments "time s" "ideal s" "% ideal" "max RSS MB"
for n in "${SIZES[@]}"; do
  dir="$WORK/p$n"
  mkdir -p "$dir"
  python3 scripts/gen_articles.py "$SAMPLE" "$dir/content" "$n"
  cat >"$dir/config.toml" <<TOML
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

# The mock answers "EN " + text, which is no translation: the QA gate would hold it.
[qa]
enabled = false
TOML
  start=$(date +%s.%N)
  BENCH_DEEPL_KEY=bench /usr/bin/time -f "%M" -o "$dir/rss" \
    "$DICH" translate --config "$dir/config.toml" --json >"$dir/summary.json" 2>"$dir/log"
  end=$(date +%s.%N)
  python3 - "$dir" "$start" "$end" "$LATENCY_MS" "$CONCURRENCY" "$n" <<'PY'
import json, sys
d, start, end, latency, conc, n = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
s = json.load(open(f"{d}/summary.json"))
rss = int(open(f"{d}/rss").read().split()[-1]) / 1024
took = end - start
ideal = s["requests"] * latency / 1000 / conc
assert s["failed"] == 0, s["failures"][:3]
print(f"{n:6d} {s['requests']:9d} {s['segments_sent']:9d} {took:9.2f} {ideal:9.2f} {100*ideal/took:7.1f}% {rss:10.1f}")
PY
done
