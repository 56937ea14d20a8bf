#!/usr/bin/env bash
# QA overhead benchmark (issue 11, item 5): the same fresh `dich translate` of N
# generated articles (hand-translated sentences of the sample articles, every one
# made distinct; × en, ko, zh-Hans) against scripts/mock_deepl.py answering with their
# real translations, with `[qa] enabled = true` and `false`, RUNS times each in
# alternation. Reports wall time and CPU time (user + sys) of dich; the QA gate's
# overhead is the difference of the medians.
#
# usage: scripts/bench-qa-overhead.sh [N]            (default: 1000)
# env:   RUNS (5), LATENCY_MS (50), CONCURRENCY (8), BATCH (50), PORT (18432), BENCH_DIR,
#        DICH (a dich binary to measure instead of building this one, e.g. one built
#        from an older commit)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
RUNS=${RUNS:-5}
LATENCY_MS=${LATENCY_MS:-50}
CONCURRENCY=${CONCURRENCY:-8}
BATCH=${BATCH:-50}
PORT=${PORT:-18432}

if [ -z "${DICH:-}" ]; then
  cargo build --release --quiet
  DICH=$PWD/target/release/dich
fi
echo "binary: $DICH; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
WORK=$(mktemp -d -p "${BENCH_DIR:-$( [ -d /dev/shm ] && echo /dev/shm || echo /tmp)}")
trap 'kill $MOCK 2>/dev/null || true; rm -rf "$WORK"' EXIT

python3 scripts/gen_qa_articles.py "$WORK/articles" "$WORK/corpus.json" "$N"
python3 scripts/mock_deepl.py "$PORT" "$LATENCY_MS" "$CONCURRENCY" "$WORK/corpus.json" >"$WORK/mock.json" 2>/dev/null &
MOCK=$!
sleep 0.5

run() { # run QA_ENABLED INDEX: one fresh run; appends "qa wall user sys rss" to results
  local qa=$1 dir="$WORK/run-$1-$2"
  mkdir -p "$dir"
  cp -r "$WORK/articles" "$dir/content"
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

[qa]
enabled = $qa
TOML
  BENCH_DEEPL_KEY=bench /usr/bin/time -f "%e %U %S %M" -o "$dir/time" \
    "$DICH" translate --config "$dir/config.toml" --json >"$dir/summary.json" 2>"$dir/log"
  python3 - "$dir" "$qa" >>"$WORK/results" <<'PY'
import json, sys
d, qa = sys.argv[1], sys.argv[2]
s = json.load(open(f"{d}/summary.json"))
assert s["failed"] == 0 and s["files_written"] > 0, (s["failed"], s["failures"][:3])
wall, user, sys_, rss = open(f"{d}/time").read().split()[-4:]
print(qa, wall, user, sys_, rss, s["segments_sent"], s["requests"])
PY
  rm -rf "$dir"
}

for i in $(seq "$RUNS"); do
  if [ $((i % 2)) -eq 1 ]; then run true "$i"; run false "$i"; else run false "$i"; run true "$i"; fi
done

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$WORK/results" "$N" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
def col(qa, i):
    return [float(r[i]) for r in rows if r[0] == qa]
print(f"{sys.argv[2]} articles, {rows[0][5]} segments, {rows[0][6]} requests per run, {len(col('true', 1))} runs each")
print(f"{'':8} {'wall s (median)':>16} {'wall s (all)':>34} {'CPU s user+sys (median)':>24} {'CPU s (all)':>34} {'max RSS MB':>10}")
med = {}
for qa in ("false", "true"):
    wall = col(qa, 1)
    cpu = [u + s for u, s in zip(col(qa, 2), col(qa, 3))]
    rss = max(col(qa, 4)) / 1024
    med[qa] = (statistics.median(wall), statistics.median(cpu))
    label = "QA on" if qa == "true" else "QA off"
    print(f"{label:8} {med[qa][0]:16.2f} {' '.join(f'{w:.2f}' for w in wall):>34} {med[qa][1]:24.2f} {' '.join(f'{c:.2f}' for c in cpu):>34} {rss:10.1f}")
for i, what in enumerate(("wall", "CPU")):
    off, on = med["false"][i], med["true"][i]
    print(f"QA overhead, {what} time: {on - off:+.2f} s = {100 * (on - off) / off:+.1f} %")
PY
