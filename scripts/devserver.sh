#!/usr/bin/env bash
# Runs the pinned Temporal dev server with the Web UI, persisted in a SQLite
# file under the git-ignored data folder, with the product's search
# attributes registered. Waits until it is healthy, prints the Web UI URL,
# then runs until SIGINT/SIGTERM.
#
# Environment:
#   DATA_DIR                     data folder (default .data)
#   TEMPORAL_IP                  bind address (default 127.0.0.1)
#   TEMPORAL_PORT                frontend gRPC port (default 7233)
#   TEMPORAL_UI_PORT             Web UI port (default TEMPORAL_PORT+1000)
#   TEMPORAL_UI_CODEC_ENDPOINT   codec server URL for the Web UI (optional)
#   DEVSERVER_HEADLESS=1         no Web UI
#   DEVSERVER_WAIT=60            seconds to wait for health
#   DEVSERVER_LOG                file for the server's own log (default: stderr)
#   DEVSERVER_LOG_LEVEL          server log level (default error)
# Flags override them: --port N --ui-port N --ip ADDR --codec-endpoint URL
# --headless --data-dir DIR.
set -euo pipefail
LOG_TAG=devserver
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

data_dir=${DATA_DIR:-$ROOT/.data}
ip=${TEMPORAL_IP:-127.0.0.1}
port=${TEMPORAL_PORT:-7233}
ui_port=${TEMPORAL_UI_PORT:-}
codec=${TEMPORAL_UI_CODEC_ENDPOINT:-}
headless=${DEVSERVER_HEADLESS:-0}
wait_for=${DEVSERVER_WAIT:-60}
server_log=${DEVSERVER_LOG:-}

while (($#)); do
  case $1 in
  --port) port=$2; shift 2 ;;
  --ui-port) ui_port=$2; shift 2 ;;
  --ip) ip=$2; shift 2 ;;
  --codec-endpoint) codec=$2; shift 2 ;;
  --headless) headless=1; shift ;;
  --data-dir) data_dir=$2; shift 2 ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown argument $1 (try --help)" ;;
  esac
done
ui_port=${ui_port:-$((port + 1000))}
address="$ip:$port"

ensure_temporal
mkdir -p "$data_dir"
port_in_use "$address" && die "something already listens on $address (another dev server?)"

args=(server start-dev
  --ip "$ip" --port "$port"
  --db-filename "$data_dir/temporal.db"
  --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal
  --search-attribute EntrataPropertyId=Keyword --search-attribute SyncState=Keyword
  --log-level "${DEVSERVER_LOG_LEVEL:-error}")
if [[ "$headless" == 1 ]]; then
  args+=(--headless)
else
  args+=(--ui-port "$ui_port")
  [[ -n "$codec" ]] && args+=(--ui-codec-endpoint "$codec")
fi

if [[ -n "$server_log" ]]; then
  "$TEMPORAL" "${args[@]}" >>"$server_log" 2>&1 &
else
  "$TEMPORAL" "${args[@]}" &
fi
server=$!

# shellcheck disable=SC2317 # called from the traps below
stop() {
  trap - INT TERM EXIT
  if kill -0 "$server" 2>/dev/null; then
    log "stopping the dev server (pid $server)"
    kill -TERM "$server" 2>/dev/null || true
    local deadline=$((SECONDS + 20))
    while kill -0 "$server" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    kill -KILL "$server" 2>/dev/null || true
  fi
  wait "$server" 2>/dev/null || true
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

log "starting Temporal dev server on $address (data: $data_dir/temporal.db)"
wait_until "$wait_for" "$server" "dev server" temporal_healthy "$address" || exit 1
if [[ "$headless" == 1 ]]; then
  log "ready: gRPC $address (headless)"
else
  log "ready: gRPC $address, Web UI http://localhost:$ui_port${codec:+ (codec endpoint $codec)}"
fi

# Wait for the server; `wait` returns early when a trapped signal arrives.
set +e
wait "$server"
rc=$?
set -e
trap - EXIT
log "dev server exited with status $rc"
exit "$rc"
