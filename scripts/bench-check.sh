#!/usr/bin/env bash
# Benchmark of `dich check` on a generated Fluent tree (20 locales × 10 files × 200
# messages by default), against Mozilla's compare-locales on the same tree.
#
#   scripts/bench-check.sh [OUT_DIR] [LOCALES] [FILES] [MESSAGES]
#
# Steps: builds dich and the examples in release; generates the tree with
# examples/gen_ftl_tree.rs; times
#   1. `dich check --config <tree>/config.toml --format json` (when the CLI has `check`),
#   2. the library entry point `dich::fluent::check` through examples/check_tree.rs,
#   3. `compare-locales` (installed from PyPI into a virtualenv under OUT_DIR),
# with hyperfine when it is installed, else with /usr/bin/time (or bash `time`).
# Uses $CARGO_TARGET_DIR when set (default: target/).
set -euo pipefail

cd "$(dirname "$0")/.."
out=${1:-/tmp/dich-bench-ftl}
locales=${2:-20}
files=${3:-10}
messages=${4:-200}
target=${CARGO_TARGET_DIR:-target}

cargo build --release --bin dich --example gen_ftl_tree --example check_tree
rm -rf "$out/tree"
"$target/release/examples/gen_ftl_tree" "$out/tree" "$locales" "$files" "$messages"

# compare-locales wants an l10n.toml: the reference files and where each locale lives.
langs=$(ls "$out/tree/locales" | grep -vx vi | tr '\n' ' ')
{
    echo 'basepath = "."'
    echo "locales = [$(for l in $langs; do printf '"%s", ' "$l"; done)]"
    echo '[env]'
    echo '    l = "{l10n_base}/{locale}/"'
    echo '[[paths]]'
    echo '    reference = "locales/vi/**"'
    echo '    l10n = "{l}**"'
} > "$out/tree/l10n.toml"

if [ ! -x "$out/venv/bin/compare-locales" ]; then
    python3 -m venv "$out/venv"
    "$out/venv/bin/pip" install --quiet compare-locales
fi

dich_check="$target/release/dich check --config $out/tree/config.toml --format json"
library_check="$target/release/examples/check_tree $out/tree/config.toml json"
compare_locales="$out/venv/bin/compare-locales --json $out/cl.json --return-zero $out/tree/l10n.toml $out/tree/locales $langs"

commands=("$library_check" "$compare_locales")
if "$target/release/dich" check --help 2>&1 | grep -q -- --format; then
    commands=("$dich_check" "${commands[@]}")
else
    echo "note: this dich has no \`check\` command yet; timing the library entry point only" >&2
fi

if command -v hyperfine >/dev/null; then
    hyperfine --warmup 1 --ignore-failure "${commands[@]}"
else
    for command in "${commands[@]}"; do
        echo "== $command"
        for run in 1 2 3; do
            if [ -x /usr/bin/time ]; then
                /usr/bin/time -f "run $run: %es wall, %MKB max RSS" $command >/dev/null || true
            else
                TIMEFORMAT="run $run: %Rs wall"
                time ($command >/dev/null || true)
            fi
        done
    done
fi
