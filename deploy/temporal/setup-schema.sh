#!/usr/bin/env sh
# Creates and migrates Temporal's two PostgreSQL databases, temporal and
# temporal_visibility, with temporal-sql-tool. Idempotent: run it before
# every server start. `make cluster`, `make cluster-test` (through
# scripts/cluster-db.sh) and docker-compose.yml (the temporal-schema
# one-shot, in the admin-tools image) all run this same script.
#
# Environment:
#   SQL_TOOL     temporal-sql-tool binary (default: temporal-sql-tool on PATH)
#   SCHEMA_DIR   the server's schema/postgresql/v12 folder
#   SQL_HOST, SQL_PORT, SQL_USER, SQL_PASSWORD   where PostgreSQL listens
set -eu
: "${SCHEMA_DIR:?SCHEMA_DIR must name the server's schema/postgresql/v12 folder}"
tool=${SQL_TOOL:-temporal-sql-tool}
export SQL_PLUGIN=postgres12
export SQL_HOST="${SQL_HOST:-127.0.0.1}" SQL_PORT="${SQL_PORT:-5432}"
export SQL_USER="${SQL_USER:-temporal}" SQL_PASSWORD="${SQL_PASSWORD:-temporal}"

for pair in temporal:temporal temporal_visibility:visibility; do
  db=${pair%%:*}
  dir=$SCHEMA_DIR/${pair#*:}/versioned
  [ -d "$dir" ] || { echo "setup-schema: no schema folder $dir" >&2; exit 1; }
  # create-database fails when the database exists; anything else is real.
  if ! out=$("$tool" --db "$db" create-database 2>&1); then
    case $out in
    *"already exists"*) ;;
    *) echo "$out" >&2; exit 1 ;;
    esac
  fi
  "$tool" --db "$db" setup-schema -v 0.0
  "$tool" --db "$db" update-schema -d "$dir"
  echo "setup-schema: $db is at the schema of $dir"
done
