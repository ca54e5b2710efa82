#!/usr/bin/env bash
# `make run`: the embedded demo. Starts, in order, the payload codec server,
# the Temporal dev server (Web UI wired to the codec), the sandbox (Entrata
# and Brivo simulators with a demo portfolio), the worker, and installs and
# triggers the discovery schedule. Ctrl-C (or SIGTERM) stops everything it
# started, in reverse order. Re-running reuses the data folder: the Temporal
# database and the payload key survive.
#
# Environment:
#   RUN_HEADLESS=1        no Web UI (for the smoke test)
#   RUN_FOR=SECONDS       stop by itself after this long (0 = until Ctrl-C)
#   DATA_DIR              data folder (default .data)
#   TEMPORAL_PORT         dev server gRPC port (default 7233; UI on +1000)
#   TEMPORAL_UI_PORT      Web UI port (default TEMPORAL_PORT+1000)
#   CODEC_ADDR            codec server address (default 127.0.0.1:8089)
#   ENTRATA_ADDR          Entrata simulator address (default 127.0.0.1:8071)
#   BRIVO_ADDR            Brivo simulator address (default 127.0.0.1:8072)
#   METRICS_ADDR          worker metrics address (default 127.0.0.1:9090)
#   DEMO_PROPERTIES, DEMO_UNITS   portfolio size (default 3 and 40)
#   DEMO_IN, DEMO_OUT     demo move-in / move-out this long after the sandbox
#                         starts (default 90s and 150s)
#   RUN_SKIP_BUILD=1      use the binaries already in RUN_BIN (default ./bin)
set -euo pipefail
LOG_TAG=run
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

headless=${RUN_HEADLESS:-0}
run_for=${RUN_FOR:-0}
data_dir=${DATA_DIR:-$ROOT/.data}
port=${TEMPORAL_PORT:-7233}
ui_port=${TEMPORAL_UI_PORT:-$((port + 1000))}
codec_addr=${CODEC_ADDR:-127.0.0.1:8089}
entrata_addr=${ENTRATA_ADDR:-127.0.0.1:8071}
brivo_addr=${BRIVO_ADDR:-127.0.0.1:8072}
metrics_addr=${METRICS_ADDR:-127.0.0.1:9090}
bin=${RUN_BIN:-$ROOT/bin}
address="127.0.0.1:$port"
[[ "$run_for" =~ ^[0-9]+$ ]] || die "RUN_FOR must be a whole number of seconds, got '$run_for'"

mkdir -p "$data_dir/logs"
data_dir=$(cd "$data_dir" && pwd)
logs="$data_dir/logs"

for a in "$address" "$codec_addr" "$entrata_addr" "$brivo_addr" "$metrics_addr"; do
  port_in_use "$a" && die "$a is already in use: is another 'make run' or dev server running?"
done

ensure_temporal
if [[ "${RUN_SKIP_BUILD:-0}" != 1 ]]; then
  log "building worker, starter and sandbox into $bin"
  go build -o "$bin/" ./worker ./starter ./sandbox
fi

# Every process we start gets its own process group (setsid), so Ctrl-C
# reaches only this script, which stops them in order; pids holds them in
# start order.
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
  log "stopped; data kept in $data_dir"
  exit "$rc"
}
trap 'cleanup 0' INT TERM
trap 'cleanup $?' EXIT

# Payload encryption: one key per data folder, kept so history stays
# readable across runs.
key_file="$data_dir/payload.key"
if [[ ! -s "$key_file" ]]; then
  (umask 077 && head -c 32 /dev/urandom | base64 >"$key_file")
  log "generated a payload key in $key_file"
fi
SYNC_PAYLOAD_KEY=$(tr -d '\n' <"$key_file")
export SYNC_PAYLOAD_KEY

export TEMPORAL_ADDRESS="$address"
export METRICS_ADDR="$metrics_addr"

log "starting the codec server on $codec_addr (log: $logs/codec.log)"
start codec "$bin/starter" codec-server --addr "$codec_addr" >>"$logs/codec.log" 2>&1
wait_until 30 "${pids[-1]}" "codec server" port_in_use "$codec_addr"

log "starting the Temporal dev server on $address (log: $logs/temporal.log)"
ds_args=(--port "$port" --ui-port "$ui_port" --data-dir "$data_dir" --codec-endpoint "http://$codec_addr")
[[ "$headless" == 1 ]] && ds_args+=(--headless)
start temporal "$ROOT/scripts/devserver.sh" "${ds_args[@]}" >>"$logs/temporal.log" 2>&1
wait_until 90 "${pids[-1]}" "Temporal dev server" temporal_healthy "$address"

log "starting the sandbox: Entrata on $entrata_addr, Brivo on $brivo_addr (log: $logs/sandbox.log)"
rm -f "$data_dir/sandbox.env"
start sandbox "$bin/sandbox" --data "$data_dir" --entrata-addr "$entrata_addr" --brivo-addr "$brivo_addr" \
  --properties "${DEMO_PROPERTIES:-3}" --units "${DEMO_UNITS:-40}" \
  --demo-in "${DEMO_IN:-90s}" --demo-out "${DEMO_OUT:-150s}" >>"$logs/sandbox.log" 2>&1
sandbox_ready() { [[ -s "$data_dir/sandbox.env" ]] && grep -q '^SYNC_MAPPING_FILE=' "$data_dir/sandbox.env"; }
wait_until 60 "${pids[-1]}" "sandbox" sandbox_ready

# The sandbox's credentials and mapping file; KEY=VALUE lines, read without
# evaluating them as shell.
while IFS= read -r line || [[ -n "$line" ]]; do
  [[ -z "$line" || "$line" == \#* || "$line" != *=* ]] && continue
  export "${line%%=*}=${line#*=}"
done <"$data_dir/sandbox.env"

# The simulator takes more than the contract's cautious default of 10 calls a
# second: the demo's first sync then finishes well before its move-in.
export BRIVO_REQUESTS_PER_SECOND=${BRIVO_REQUESTS_PER_SECOND:-50}
log "starting the worker (metrics on http://$metrics_addr/metrics)"
start worker "$bin/worker"
sleep 1
kill -0 "${pids[-1]}" 2>/dev/null || die "the worker exited at start-up"

log "installing the discovery schedule and triggering it"
attempt=1
until "$bin/starter" schedule --trigger; do
  ((attempt++ < 5)) || die "starter schedule --trigger failed"
  sleep 2
done

property_ids=$(sed -n 's/^[- ]*entrataPropertyId: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "${SYNC_MAPPING_FILE:-/dev/null}" 2>/dev/null || true)
demo_id=$(head -n 1 <<<"$property_ids")
demo_id=${demo_id:-<propertyId>}

# On a re-run the PropertySync workflows are still running from last time,
# but the sandbox is new: ask each to read Entrata now rather than at its
# next poll. (On a first run discovery starts them; a missing one is fine.)
for id in $property_ids; do
  "$TEMPORAL" workflow signal --address "$address" --workflow-id "property-sync-$id" --name sync-now \
    >/dev/null 2>&1 || true
done

ui="http://localhost:$ui_port"
cat >&2 <<MSG

==========================================================================
 The demo is running.
$(if [[ "$headless" == 1 ]]; then echo " Web UI: disabled (RUN_HEADLESS=1)"; else echo " Web UI:  $ui/namespaces/default/workflows  (payloads decoded by the codec server)"; fi)
 Metrics: http://$metrics_addr/metrics
 Logs:    worker below; temporal, sandbox and codec in $logs

 Try next (in another terminal, from $ROOT; payloads are encrypted, so the
 starter needs the key and the temporal CLI the codec endpoint):
   SYNC_PAYLOAD_KEY=\$(cat $data_dir/payload.key) TEMPORAL_ADDRESS=$address bin/starter status $demo_id
   bin/temporal workflow query --address $address --workflow-id property-sync-$demo_id --type status --codec-endpoint http://$codec_addr
   bin/temporal workflow signal --address $address --workflow-id property-sync-$demo_id --name sync-now
   bin/temporal workflow show --address $address --workflow-id property-sync-$demo_id --codec-endpoint http://$codec_addr

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
  # A backgrounded sleep keeps the traps responsive.
  sleep 1 &
  wait $! || true
done
