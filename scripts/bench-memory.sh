#!/usr/bin/env bash
# Peak memory benchmark (issue 15): `dich translate` with the offline pseudo backend
# over N generated articles (the sample article, every sentence distinct) into en, ko
# and zh-Hans: the first run (everything translated and written) and a second run with
# nothing to do. Prints the wall time and the peak memory (max RSS, /usr/bin/time -v)
# of each, and the ratio to the target of 64 MB.
#
# usage: scripts/bench-memory.sh [N ...]        (default: 1000 10000 100000)
# env:   BENCH_DIR (target/bench-memory: the project's disk, not tmpfs),
#        TARGET_MB (64), KEEP=1 to keep the generated projects, DICH (a dich binary
#        to measure instead of building this one).
# Disk: about 165 KB per generated article, measured at 100,000 (2 Dec 2026): 46 KB
# of content (the source and three translations, in 4 KB blocks) and 117 KB of memory
# (every segment in three languages, and each written file's text, kept so that a
# person's edits are found next time). 100,000 articles need about 17 GB free in
# BENCH_DIR; with less, the first run fails when the disk fills.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET_MB=${TARGET_MB:-64}
SIZES=("$@")
[ $# -eq 0 ] && SIZES=(1000 10000 100000)
# Absolute, so that a relative or an absolute $CARGO_TARGET_DIR both work below.
target=$(realpath -m "${CARGO_TARGET_DIR:-target}")

if [ -z "${DICH:-}" ]; then
  cargo build --release --quiet --bin dich
  DICH=$target/release/dich
fi
SAMPLE=$PWD/content/tin-tuc/tong-ket-thong-tin-doi-ngoai-2016-2020.md
BASE=${BENCH_DIR:-$target/bench-memory}
mkdir -p "$BASE"
WORK=$(mktemp -d -p "$BASE")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
echo "work folder: $WORK ($(df -T "$WORK" | awk 'NR==2 {print $2}')), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

# One run under /usr/bin/time -v: prints "seconds max_rss_kib files_written".
measure() { # DIR LABEL
  /usr/bin/time -v -o "$1/time-$2" "$DICH" translate --config "$1/config.toml" --json \
    >"$1/summary-$2.json" 2>"$1/log-$2" || {
    echo "dich failed ($2), see $1/log-$2" >&2
    exit 1
  }
  python3 - "$1" "$2" <<'PY'
import json, re, sys
d, label = sys.argv[1], sys.argv[2]
t = open(f"{d}/time-{label}").read()
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t).group(1)
secs = sum(float(p) * 60 ** i for i, p in enumerate(reversed(wall.split(":"))))
s = json.load(open(f"{d}/summary-{label}.json"))
assert s["failed"] == 0, s["failures"][:3]
print(f"{secs:.2f} {rss} {s['files_written']}")
PY
}

printf "%8s %-6s %10s %9s %12s %10s\n" N run files "time s" "max RSS MB" "÷ ${TARGET_MB} MB"
for n in "${SIZES[@]}"; do
  dir="$WORK/p$n"
  mkdir -p "$dir"
  python3 scripts/gen_articles.py "$SAMPLE" "$dir/content" "$n"
  cat >"$dir/config.toml" <<TOML
[project]
source = "vi"
targets = ["en", "ko", "zh-Hans"]

[backend]
kind = "pseudo"
TOML
  sync
  for label in first no-op; do
    read -r secs rss files < <(measure "$dir" "$label")
    python3 -c "
n, label, files, secs, rss, target = $n, '$label', $files, $secs, $rss, $TARGET_MB
mb = rss / 1024
print(f'{n:8d} {label:6s} {files:10d} {secs:9.2f} {mb:12.1f} {mb / target:9.2f}')"
  done
  [ "${KEEP:-0}" = 1 ] || rm -rf "$dir"
done
