#!/usr/bin/env bash
# No-op benchmark (issue 15, item 1): `dich translate` and `dich status` over N generated
# articles when nothing changed, against `cat` of every content file.
#
# Steps: builds dich in release; generates N articles (scripts/gen_articles.py, from the
# sample article) in a temporary folder ON THE PROJECT'S DISK (not tmpfs: content teams
# keep their repositories on disk); runs one pseudo `dich translate` (one target
# language, so N sources + N translations); then runs a first no-op translate (it
# re-hashes the files written a moment before: racy timestamps, as git does) and times,
# best of RUNS each (page cache warm for all):
#   cat    `cat` of every file under content/ (sources and translations)
#   noop   `dich translate` with nothing to do
#   status `dich status --check`
# and prints each time, its ratio to cat, and the peak RSS (/usr/bin/time -v).
#
# usage: scripts/bench-noop.sh [N]                  (default: 10000)
# env:   DICH (a dich binary to time instead of building this one), RUNS (5), BENCH_DIR (default: target/, on the project's disk), KEEP=1 keeps the
#        generated project.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
RUNS=${RUNS:-5}
if [ -z "${DICH:-}" ]; then
  cargo build --release --quiet --bin dich
  DICH=${CARGO_TARGET_DIR:-$PWD/target}/release/dich
fi
SAMPLE=$PWD/content/tin-tuc/tong-ket-thong-tin-doi-ngoai-2016-2020.md
mkdir -p "${BENCH_DIR:-$PWD/target}"
WORK=$(mktemp -d -p "${BENCH_DIR:-$PWD/target}" bench-noop.XXXXXX)
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
echo "work folder: $WORK ($(df -T "$WORK" | awk 'NR==2 {print $2}'))"

python3 scripts/gen_articles.py "$SAMPLE" "$WORK/content" "$N"
cat >"$WORK/config.toml" <<TOML
[project]
source = "vi"
targets = ["en"]

[backend]
kind = "pseudo"

[qa]
enabled = false
TOML

# Seconds of the best of RUNS runs of "$@" (stdout and stderr discarded).
best() {
  local best="" start end took
  for _ in $(seq "$RUNS"); do
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    took=$(echo "$end - $start" | bc)
    if [ -z "$best" ] || [ "$(echo "$took < $best" | bc)" = 1 ]; then best=$took; fi
  done
  echo "$best"
}
# Peak RSS in MB of one run of "$@".
rss() {
  /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident/ {printf "%.1f", $2 / 1024}'
}
cat_all() { find "$WORK/content" -type f -print0 | xargs -0 cat >/dev/null; }

start=$(date +%s.%N)
first_rss=$(rss "$DICH" translate --config "$WORK/config.toml")
end=$(date +%s.%N)
files=$(find "$WORK/content" -type f | wc -l)
echo "first translate: $(echo "$end - $start" | bc) s, peak RSS $first_rss MB; $files files"
start=$(date +%s.%N)
"$DICH" translate --config "$WORK/config.toml" >/dev/null 2>&1
end=$(date +%s.%N)
echo "first no-op translate (re-hashes what the first run just wrote): $(echo "$end - $start" | bc) s"

cat_s=$(best cat_all)
noop_s=$(best "$DICH" translate --config "$WORK/config.toml")
status_s=$(best "$DICH" status --check --config "$WORK/config.toml")
noop_rss=$(rss "$DICH" translate --config "$WORK/config.toml")
status_rss=$(rss "$DICH" status --check --config "$WORK/config.toml")

printf "%-22s %9s %9s %12s\n" "N=$N ($files files)" "time s" "× cat" "peak RSS MB"
printf "%-22s %9.3f %9s %12s\n" "cat" "$cat_s" "1.00" "-"
printf "%-22s %9.3f %9.2f %12s\n" "no-op translate" "$noop_s" "$(echo "$noop_s / $cat_s" | bc -l)" "$noop_rss"
printf "%-22s %9.3f %9.2f %12s\n" "status --check" "$status_s" "$(echo "$status_s / $cat_s" | bc -l)" "$status_rss"
