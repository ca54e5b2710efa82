#!/usr/bin/env bash
# A throw-away PostgreSQL 15 cluster for `make cluster` and `make cluster-test`:
# loopback only, its own port, data and socket in one folder. No system
# service is used. initdb and pg_ctl refuse root, so as root they run as the
# postgres user (runuser), which then owns the folder.
#
#   scripts/cluster-db.sh start    initdb on first use, start, create/migrate the schemas
#   scripts/cluster-db.sh stop     clean shutdown
#   scripts/cluster-db.sh crash    immediate shutdown (no checkpoint), as a crash would
#
# Environment:
#   PG_DIR        data folder (required); the log is PG_DIR.log
#   PG_PORT       port on 127.0.0.1 (default 15432; not 5432, which Debian's
#                 own cluster may take)
#   PG_BIN        PostgreSQL binaries (default /usr/lib/postgresql/15/bin)
#   SQL_TOOL      temporal-sql-tool (default ./bin/temporal-sql-tool)
#   SCHEMA_DIR    schema/postgresql/v12 of the server module (default: from
#                 the Go module cache, for TEMPORAL_SERVER_VERSION)
set -euo pipefail
LOG_TAG=cluster-db
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${PG_DIR:?PG_DIR must name the data folder}"
port=${PG_PORT:-15432}
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
[[ -x "$pg_bin/initdb" ]] || die "no PostgreSQL 15 in $pg_bin (apt-get install postgresql-15; .ci/run does)"
mkdir -p "$(dirname "$PG_DIR")"
PG_DIR=$(cd "$(dirname "$PG_DIR")" && pwd)/$(basename "$PG_DIR")
pg_log="$PG_DIR.log"

as_pg() {
  if ((EUID == 0)); then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_ctl() {
  as_pg "$pg_bin/pg_ctl" -D "$PG_DIR" "$@"
}

start() {
  if [[ ! -s "$PG_DIR/PG_VERSION" ]]; then
    log "initdb in $PG_DIR (superuser temporal, as in docker-compose.yml)"
    mkdir -p "$PG_DIR"
    local pw="$PG_DIR.pw"
    printf '%s\n' "${POSTGRES_PWD:-temporal}" >"$pw"
    if ((EUID == 0)); then
      chown postgres: "$PG_DIR" "$pw"
      touch "$pg_log" && chown postgres: "$pg_log"
    fi
    chmod 700 "$PG_DIR"
    as_pg "$pg_bin/initdb" -D "$PG_DIR" -U temporal --pwfile="$pw" --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >"$PG_DIR.initdb.log" 2>&1 || { cat "$PG_DIR.initdb.log" >&2; die "initdb failed"; }
    rm -f "$pw"
  fi
  if pg_ctl status >/dev/null 2>&1; then
    log "PostgreSQL already running in $PG_DIR"
  else
    log "starting PostgreSQL on 127.0.0.1:$port (log: $pg_log)"
    pg_ctl -l "$pg_log" -w -t 60 -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR" start >/dev/null
  fi
}

schema() {
  local version=${TEMPORAL_SERVER_VERSION:-v1.29.1}
  local dir=${SCHEMA_DIR:-$(go env GOMODCACHE)/go.temporal.io/server@$version/schema/postgresql/v12}
  if [[ ! -d "$dir" ]]; then
    go mod download "go.temporal.io/server@$version" >/dev/null 2>&1 || true
  fi
  SQL_TOOL=${SQL_TOOL:-$ROOT/bin/temporal-sql-tool} SCHEMA_DIR=$dir SQL_HOST=127.0.0.1 SQL_PORT=$port \
    SQL_USER=temporal SQL_PASSWORD=${POSTGRES_PWD:-temporal} "$ROOT/deploy/temporal/setup-schema.sh" >>"$pg_log.schema" 2>&1 ||
    { tail -n 30 "$pg_log.schema" >&2; die "schema setup failed (log: $pg_log.schema)"; }
  log "schemas temporal and temporal_visibility are up to date"
}

case ${1:-} in
start) start && schema ;;
stop) pg_ctl status >/dev/null 2>&1 && pg_ctl -m fast -w stop >/dev/null; true ;;
crash) pg_ctl -m immediate -w stop >/dev/null ;;
*) die "usage: $0 start|stop|crash" ;;
esac
