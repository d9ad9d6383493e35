#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, on loopback only, from Debian's postgresql
# (installed by scripts/install-system-deps.sh when missing).
#
#   scripts/start-postgres.sh          # start (idempotent); the last line printed is the URL
#   scripts/start-postgres.sh stop     # stop it (the data folder is kept until you delete it)
#   export ASSISTANT_TEST_POSTGRES_URL=$(scripts/start-postgres.sh | tail -1)
#
# Settings (environment): ASSISTANT_PG_DIR (default /tmp/assistant-pg), ASSISTANT_PG_PORT
# (default 54329), database assistant_test. The cluster trusts local connections without a
# password: it listens on 127.0.0.1 and a socket in its own folder, and holds test data only.
set -euo pipefail
cd "$(dirname "$0")/.."

PGDIR=${ASSISTANT_PG_DIR:-/tmp/assistant-pg}
PORT=${ASSISTANT_PG_PORT:-54329}
DB=assistant_test
DATA="$PGDIR/data"
URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/$DB"

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

if [ -z "$(bindir)" ]; then
    scripts/install-system-deps.sh >&2 || true
fi
BIN=$(bindir)
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
    echo "start-postgres: error: PostgreSQL is not installed (as root: apt-get install -y postgresql);" \
         "the PostgreSQL tests are skipped without ASSISTANT_TEST_POSTGRES_URL" >&2
    exit 1
fi

# PostgreSQL refuses to run as root: the server runs as the 'postgres' user Debian's package creates
if [ "$(id -u)" -eq 0 ]; then
    OWNER=postgres
    as_owner() { runuser -u postgres -- "$@"; }
else
    OWNER=$(id -un)
    as_owner() { "$@"; }
fi

if [ "${1:-start}" = "stop" ]; then
    if [ -f "$DATA/postmaster.pid" ]; then
        as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2
    fi
    exit 0
fi

mkdir -p "$PGDIR"
chown "$OWNER" "$PGDIR"
chmod 700 "$PGDIR"

if [ ! -f "$DATA/PG_VERSION" ]; then
    echo "start-postgres: creating a test cluster in $DATA ..." >&2
    as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
fi

if ! as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    # fsync off: a test cluster, its data is thrown away; loopback and its own socket folder only
    as_owner "$BIN/pg_ctl" -D "$DATA" -l "$PGDIR/server.log" -w -t 60 \
        -o "-p $PORT -c listen_addresses=127.0.0.1 -k $PGDIR -c fsync=off -c full_page_writes=off" start >&2 || {
        echo "start-postgres: error: the server did not start; see $PGDIR/server.log" >&2
        tail -5 "$PGDIR/server.log" >&2 || true
        exit 1
    }
fi

if ! as_owner "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DB'" \
        postgres | grep -q 1; then
    as_owner "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB"
fi
echo "start-postgres: PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT," \
     "database $DB" >&2
echo "$URL"
