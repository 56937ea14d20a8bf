#!/usr/bin/env bash
# Shared-memory benchmark (issue 16): N concurrent `dich translate` processes, each in
# its own clone of the same ARTICLES generated articles, against one PostgreSQL (a
# throw-away cluster, scripts/pg-throwaway.sh) and a local mock DeepL. Reports the
# characters billed ÷ the characters of unique segments (1.00 = each sentence paid
# once), the wall time of the slowest process, and the database's share of the
# processes' time (time spent waiting for PostgreSQL answers ÷ wall time, mean).
#
# usage: scripts/bench-postgres.sh [N ...]        (default: 1 2 4 8)
# env:   ARTICLES (1000), LATENCY_MS (50), CONCURRENCY (4), BATCH (50), PORT (18466)
set -euo pipefail
cd "$(dirname "$0")/.."
ARTICLES=${ARTICLES:-1000}
LATENCY_MS=${LATENCY_MS:-50}
CONCURRENCY=${CONCURRENCY:-4}
BATCH=${BATCH:-50}
PORT=${PORT:-18466}
COUNTS=("$@")
[ $# -eq 0 ] && COUNTS=(1 2 4 8)

cargo build --release --quiet
DICH=$PWD/target/release/dich
SAMPLE=$PWD/content/tin-tuc/tong-ket-thong-tin-doi-ngoai-2016-2020.md
WORK=$(mktemp -d -p "${BENCH_DIR:-$( [ -d /dev/shm ] && echo /dev/shm || echo /tmp)}")
# shellcheck source=pg-throwaway.sh
source scripts/pg-throwaway.sh
trap 'pg_throwaway_stop; rm -rf "$WORK"' EXIT
PSQL=$PG_BIN/psql

python3 scripts/gen_articles.py "$SAMPLE" "$WORK/articles" "$ARTICLES"

printf "%3s %10s %10s %8s %8s %9s %9s %9s\n" N billed unique ratio requests "wall s" "DB share" failed
for n in "${COUNTS[@]}"; do
  schema="bench_$n"
  "$PSQL" -q "$DICH_TEST_POSTGRES_URL" -c "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema"
  url="$DICH_TEST_POSTGRES_URL?options=-csearch_path%3D$schema"
  python3 scripts/mock_deepl.py "$PORT" "$LATENCY_MS" 100000 >"$WORK/mock-$n.json" &
  mock=$!
  sleep 0.5
  pids=()
  start=$(date +%s.%N)
  for i in $(seq 1 "$n"); do
    dir="$WORK/n$n/clone$i"
    mkdir -p "$dir"
    cp -r "$WORK/articles" "$dir/content"
    cat >"$dir/config.toml" <<TOML
[project]
source = "vi"
targets = ["en", "ko", "zh-Hans"]

[qa]
enabled = false

[backend]
kind = "deepl"
base_url = "http://127.0.0.1:$PORT"
api_key_env = "BENCH_DEEPL_KEY"
tag_handling = true
concurrency = $CONCURRENCY
max_segments_per_request = $BATCH

[memory]
url = "$url"
repository = "bench"
TOML
    ( cd "$dir" && BENCH_DEEPL_KEY=bench DICH_LOG=dich::memory=debug \
        /usr/bin/time -f "%e" -o "$dir/wall" "$DICH" translate --json >"$dir/summary.json" 2>"$dir/log" ) &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || true; done
  end=$(date +%s.%N)
  kill -TERM "$mock"; wait "$mock" || true
  python3 - "$WORK/n$n" "$n" "$start" "$end" "$WORK/mock-$n.json" <<'PY'
import json, pathlib, re, sys
root, n, start, end, mock = pathlib.Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
stats = json.loads(open(mock).read().strip().splitlines()[-1])
shares, failed = [], 0
for clone in sorted(root.iterdir()):
    s = json.load(open(clone / "summary.json"))
    failed += s["failed"]
    wall = float((clone / "wall").read_text().split()[-1])
    db = re.findall(r"([0-9.]+) s waiting for the database", (clone / "log").read_text())
    shares.append(sum(map(float, db)) / wall if db and wall else float("nan"))
ratio = stats["characters"] / stats["unique_characters"] if stats["unique_characters"] else float("nan")
share = sum(shares) / len(shares)
print(f"{n:3d} {stats['characters']:10d} {stats['unique_characters']:10d} {ratio:8.2f} {stats['requests']:8d} {end - start:9.2f} {100 * share:8.1f}% {failed:9d}")
PY
  # Every clone ends with the same files.
  if [ "$n" -gt 1 ]; then
    for i in $(seq 2 "$n"); do
      diff -rq -I translated_at "$WORK/n$n/clone1/content" "$WORK/n$n/clone$i/content" >/dev/null \
        || echo "    clone$i differs from clone1"
    done
  fi
  rm -rf "$WORK/n$n"
done
