#!/usr/bin/env bash
# Memory of one huge paragraph (issue 10, item 14): `dich translate` of one article
# whose body is a single SIZE-byte paragraph of Vietnamese words with a comma every
# twenty words and no sentence punctuation (scripts/gen_huge_paragraph.py), into en,
# measured with /usr/bin/time (max RSS, wall, user+sys). Two backends:
#   pseudo  the offline pseudo-translator (its `~` padding is escaped as `\~` in the
#           Markdown it writes: one escape every few bytes)
#   deepl   scripts/mock_deepl.py answering "EN " + text (no escapes; `[qa] enabled =
#           false`, the answer being no translation), split into requests of at most
#           DeepL's 128 KiB
#   again   pseudo once more in the same project after the title changed: the
#           translation written by the first run is read back (the paragraph is kept
#           from it) and replaced
#   three   pseudo into en, ko and zh-Hans at once (the Korean and Chinese pseudo
#           translations, in full-width letters without spaces, are 2.3 × the source)
#   again3  `again` in the `three` project: the paragraph is kept from each of the
#           three translations
#   memory3 the `three` project's translations deleted and written again: every
#           segment comes from the memory, no request is sent
# Reports max RSS and its ratio to the file size. Set MALLOC_MMAP_THRESHOLD_=131072 to
# see the heap without glibc's dynamic mmap threshold (freed big buffers are then
# returned to the system at once).
#
# usage: scripts/bench-huge-paragraph.sh [SIZE_BYTES]      (default: 9000000)
# env:   PORT (18433), BENCH_DIR, DICH (default: target/release/dich, built)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-9000000}
PORT=${PORT:-18433}
if [ -z "${DICH:-}" ]; then
  cargo build --release --quiet
  DICH=$PWD/target/release/dich
fi
WORK=$(mktemp -d -p "${BENCH_DIR:-$( [ -d /dev/shm ] && echo /dev/shm || echo /tmp)}")
trap 'kill $MOCK 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 scripts/mock_deepl.py "$PORT" 0 8 >"$WORK/mock.json" &
MOCK=$!
mkdir -p "$WORK/article"
python3 scripts/gen_huge_paragraph.py "$WORK/article/dai.md" "$SIZE"
sleep 0.5

printf "%-7s %12s %10s %8s %10s %12s %8s\n" backend "file bytes" requests "wall s" "CPU s" "max RSS MB" "× file"
for backend in pseudo deepl again three again3 memory3; do
  dir="$WORK/$backend"
  case $backend in
    again) dir="$WORK/pseudo" ;;
    again3 | memory3) dir="$WORK/three" ;;
  esac
  case $backend in
    again*) sed -i '0,/^title = /s/^title = "/title = "Lại: /' "$dir/content/dai.md" ;;
    memory3) rm "$dir"/content/dai.*.md ;;
    *) mkdir -p "$dir/content" && cp "$WORK/article/dai.md" "$dir/content/" ;;
  esac
  targets='"en"'
  case $backend in three | again3 | memory3) targets='"en", "ko", "zh-Hans"' ;; esac
  if [ "$backend" != deepl ]; then
    table='kind = "pseudo"'
  else
    table="kind = \"deepl\"
base_url = \"http://127.0.0.1:$PORT\"
api_key_env = \"BENCH_DEEPL_KEY\"

[qa]
enabled = false"
  fi
  printf '[project]\nsource = "vi"\ntargets = [%s]\n\n[backend]\n%s\n' "$targets" "$table" >"$dir/config.toml"
  BENCH_DEEPL_KEY=bench /usr/bin/time -f "%e %U %S %M" -o "$dir/time" \
    "$DICH" translate --config "$dir/config.toml" --json >"$dir/summary.json" 2>"$dir/log"
  python3 - "$dir" "$backend" "$SIZE" <<'PY'
import json, sys
d, backend, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = json.load(open(f"{d}/summary.json"))
assert s["failed"] == 0 and s["files_written"] == (3 if backend in ("three", "again3", "memory3") else 1), s["failures"][:2]
wall, user, sys_, rss = open(f"{d}/time").read().split()[-4:]
rss_mb = int(rss) / 1024
print(f"{backend:7} {size:12,d} {s['requests']:10d} {float(wall):8.2f} {float(user) + float(sys_):10.2f} {rss_mb:12.1f} {rss_mb * 1048576 / size:8.1f}")
PY
done
