#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests and benchmarks of the shared memory
# (docs/postgres.md). Source it: it starts a cluster on a temporary folder and a local
# port, exports DICH_TEST_POSTGRES_URL, and stops and removes the cluster on exit.
#
#   source scripts/pg-throwaway.sh            # installs Debian's `postgresql` if needed
#
# PostgreSQL refuses to run as root, so as root it runs as the user `dich-pg`
# (created if missing). The port is DICH_PG_PORT (default 55433); only 127.0.0.1
# listens, with `trust` authentication: never use it for anything but tests.

pg_bin() {
    local dir
    # `|| true`: no match must not stop a caller running under `set -euo pipefail`.
    dir=$( (ls -d /usr/lib/postgresql/*/bin 2>/dev/null || true) | sort -V | tail -n 1)
    if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
    if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; fi
}

if [ -z "$(pg_bin)" ]; then
    export DEBIAN_FRONTEND=noninteractive
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq postgresql >/dev/null
fi
PG_BIN=$(pg_bin)
if [ -z "$PG_BIN" ]; then
    echo "pg-throwaway: no PostgreSQL binaries (initdb) found" >&2
    return 1 2>/dev/null || exit 1
fi

PG_PORT=${DICH_PG_PORT:-55433}
PG_DIR=$(mktemp -d /tmp/dich-pg.XXXXXX)
as_pg() { "$@"; }
if [ "$(id -u)" = 0 ]; then
    id dich-pg >/dev/null 2>&1 || useradd --system --no-create-home dich-pg
    chown dich-pg "$PG_DIR"
    as_pg() { runuser -u dich-pg -- "$@"; }
fi
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U dich --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" \
    start >/dev/null
pg_throwaway_stop() {
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
}
trap pg_throwaway_stop EXIT
export DICH_TEST_POSTGRES_URL="postgres://dich@127.0.0.1:$PG_PORT/postgres"
echo "$("$PG_BIN/postgres" --version) on 127.0.0.1:$PG_PORT (DICH_TEST_POSTGRES_URL)"
