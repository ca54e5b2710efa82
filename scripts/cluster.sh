#!/usr/bin/env bash
# `make cluster`: the production topology on this machine, without Docker.
# Starts, in order: PostgreSQL 15 (a throw-away cluster in DATA_DIR, see
# cluster-db.sh; schemas created and migrated by temporal-sql-tool), the
# Temporal server 1.29.1 on it (config deploy/temporal/postgres.yaml, dynamic
# config deploy/dynamicconfig), the default namespace and the search
# attributes, the sandbox (Entrata and Brivo simulators), WORKERS worker
# processes, and the discovery schedule. Ctrl-C (or SIGTERM) stops them all,
# in reverse order, PostgreSQL last. Re-running reuses DATA_DIR.
#
# Environment:
#   DATA_DIR          data folder (default .data/cluster)
#   TEMPORAL_PORT     frontend gRPC port (default 7233); the other services
#                     take TEMPORAL_PORT+1, +2, +6 and membership ports -300..
#   PG_PORT           PostgreSQL port on 127.0.0.1 (default 15432)
#   WORKERS           worker processes (default 3)
#   METRICS_PORT      first worker's metrics port (default 9090; then 9091, ...)
#   ENTRATA_ADDR, BRIVO_ADDR, DEMO_PROPERTIES, DEMO_UNITS, DEMO_IN, DEMO_OUT
#                     as for `make run`
#   RUN_FOR=SECONDS   stop by itself after this long (0 = until Ctrl-C)
#   TEMPORAL_SERVER, SQL_TOOL   the server and temporal-sql-tool (default ./bin/temporal-server, ./bin/temporal-sql-tool)
set -euo pipefail
LOG_TAG=cluster
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

run_for=${RUN_FOR:-0}
data_dir=${DATA_DIR:-$ROOT/.data/cluster}
port=${TEMPORAL_PORT:-7233}
pg_port=${PG_PORT:-15432}
workers=${WORKERS:-3}
entrata_addr=${ENTRATA_ADDR:-127.0.0.1:8071}
brivo_addr=${BRIVO_ADDR:-127.0.0.1:8072}
server=${TEMPORAL_SERVER:-$ROOT/bin/temporal-server}
export SQL_TOOL=${SQL_TOOL:-$ROOT/bin/temporal-sql-tool}
bin=$ROOT/bin
address="127.0.0.1:$port"
[[ "$run_for" =~ ^[0-9]+$ ]] || die "RUN_FOR must be a whole number of seconds, got '$run_for'"
[[ -x "$server" && -x "$SQL_TOOL" ]] || die "$server or $SQL_TOOL is missing: run 'make cluster' (it installs them)"

mkdir -p "$data_dir/logs"
data_dir=$(cd "$data_dir" && pwd)
logs="$data_dir/logs"
# PostgreSQL runs as the postgres user: it must reach its folder.
((EUID == 0)) && chmod o+x "$data_dir"
export PG_DIR="$data_dir/pg" PG_PORT="$pg_port"

metrics=()
for ((i = 0; i < workers; i++)); do metrics+=("127.0.0.1:$((${METRICS_PORT:-9090} + i))"); done
for a in "$address" "127.0.0.1:$pg_port" "$entrata_addr" "$brivo_addr" "${metrics[@]}"; do
  port_in_use "$a" && die "$a is already in use: is another 'make cluster' or 'make run' running?"
done

ensure_temporal
began=$SECONDS
log "building worker, starter and sandbox into $bin"
go build -o "$bin/" ./worker ./starter ./sandbox

pids=()
names=()
start() {
  local name=$1
  shift
  setsid "$@" &
  pids+=($!)
  names+=("$name")
}

stopping=0
cleanup() {
  local rc=${1:-0}
  ((stopping)) && return
  stopping=1
  trap - INT TERM EXIT
  log "stopping..."
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    if kill -0 "${pids[i]}" 2>/dev/null; then
      log "stopping ${names[i]} (pid ${pids[i]})"
      stop_group "${pids[i]}" 20
    fi
  done
  log "stopping PostgreSQL"
  "$ROOT/scripts/cluster-db.sh" stop || true
  log "stopped; data kept in $data_dir"
  exit "$rc"
}
trap 'cleanup 0' INT TERM
trap 'cleanup $?' EXIT

key_file="$data_dir/payload.key"
if [[ ! -s "$key_file" ]]; then
  (umask 077 && head -c 32 /dev/urandom | base64 >"$key_file")
fi
SYNC_PAYLOAD_KEY=$(tr -d '\n' <"$key_file")
export SYNC_PAYLOAD_KEY TEMPORAL_ADDRESS="$address"

"$ROOT/scripts/cluster-db.sh" start

# The server's ports, read by deploy/temporal/postgres.yaml.
export DB_PORT=$pg_port POSTGRES_SEEDS=127.0.0.1 POSTGRES_USER=temporal POSTGRES_PWD=${POSTGRES_PWD:-temporal}
export TEMPORAL_FRONTEND_PORT=$port TEMPORAL_HISTORY_PORT=$((port + 1)) TEMPORAL_MATCHING_PORT=$((port + 2))
export TEMPORAL_WORKER_PORT=$((port + 6)) TEMPORAL_FRONTEND_HTTP_PORT=$((port + 10))
export TEMPORAL_FRONTEND_MEMBERSHIP_PORT=$((port - 300)) TEMPORAL_HISTORY_MEMBERSHIP_PORT=$((port - 299))
export TEMPORAL_MATCHING_MEMBERSHIP_PORT=$((port - 298)) TEMPORAL_WORKER_MEMBERSHIP_PORT=$((port - 294))
export DYNAMIC_CONFIG_FILE_PATH="$ROOT/deploy/dynamicconfig/development-sql.yaml"
log "starting the Temporal server on $address (log: $logs/temporal.log)"
start temporal "$server" --root "$ROOT" --config deploy/temporal --env postgres --allow-no-auth start >>"$logs/temporal.log" 2>&1
server_serving() { "$TEMPORAL" operator cluster health --address "$address" --command-timeout 2s >/dev/null 2>&1; }
wait_until 90 "${pids[-1]}" "Temporal server" server_serving
TEMPORAL="$TEMPORAL" "$ROOT/deploy/temporal/setup-namespace.sh" >>"$logs/temporal.log" 2>&1 ||
  die "namespace setup failed (see $logs/temporal.log)"

log "starting the sandbox: Entrata on $entrata_addr, Brivo on $brivo_addr (log: $logs/sandbox.log)"
rm -f "$data_dir/sandbox.env"
start sandbox "$bin/sandbox" --data "$data_dir" --entrata-addr "$entrata_addr" --brivo-addr "$brivo_addr" \
  --properties "${DEMO_PROPERTIES:-3}" --units "${DEMO_UNITS:-40}" \
  --demo-in "${DEMO_IN:-90s}" --demo-out "${DEMO_OUT:-150s}" >>"$logs/sandbox.log" 2>&1
sandbox_ready() { [[ -s "$data_dir/sandbox.env" ]] && grep -q '^SYNC_MAPPING_FILE=' "$data_dir/sandbox.env"; }
wait_until 60 "${pids[-1]}" "sandbox" sandbox_ready
while IFS= read -r line || [[ -n "$line" ]]; do
  [[ -z "$line" || "$line" == \#* || "$line" != *=* ]] && continue
  export "${line%%=*}=${line#*=}"
done <"$data_dir/sandbox.env"
export BRIVO_REQUESTS_PER_SECOND=${BRIVO_REQUESTS_PER_SECOND:-50}

for ((i = 0; i < workers; i++)); do
  log "starting worker $((i + 1)) (metrics on http://${metrics[i]}/metrics, log: $logs/worker-$((i + 1)).log)"
  export METRICS_ADDR=${metrics[i]}
  start "worker-$((i + 1))" "$bin/worker" >>"$logs/worker-$((i + 1)).log" 2>&1
done
sleep 1
for ((i = 0; i < ${#pids[@]}; i++)); do
  kill -0 "${pids[i]}" 2>/dev/null || die "${names[i]} exited at start-up (see $logs)"
done

attempt=1
until "$bin/starter" schedule --trigger >>"$logs/starter.log" 2>&1; do
  ((attempt++ < 10)) || die "starter schedule --trigger failed (see $logs/starter.log)"
  sleep 2
done

cat >&2 <<MSG

==========================================================================
 The cluster is up ($((SECONDS - began))s).
 PostgreSQL 15:     127.0.0.1:$pg_port  (databases temporal, temporal_visibility; data $PG_DIR)
 Temporal server:   $address  (1.29.1, config deploy/temporal/postgres.yaml)
 Entrata simulator: http://$entrata_addr   Brivo simulator: http://$brivo_addr
 Workers:           $workers processes, metrics on ${metrics[*]}
 Logs:              $logs

 Try next (payloads are encrypted: the starter needs the key):
   SYNC_PAYLOAD_KEY=\$(cat $key_file) TEMPORAL_ADDRESS=$address bin/starter status 100
   bin/temporal workflow list --address $address
   bin/temporal task-queue describe --address $address --task-queue entrata-brivo

 Ctrl-C stops everything.
==========================================================================

MSG

deadline=0
((run_for > 0)) && deadline=$((SECONDS + run_for))
while :; do
  for i in "${!pids[@]}"; do
    if ! kill -0 "${pids[i]}" 2>/dev/null; then
      log "${names[i]} exited unexpectedly (see $logs)"
      cleanup 1
    fi
  done
  if ((deadline > 0 && SECONDS >= deadline)); then
    log "RUN_FOR=${run_for}s elapsed"
    cleanup 0
  fi
  sleep 1 &
  wait $! || true
done
