# shellcheck shell=bash
# Helpers shared by devserver.sh and run.sh. Source it; do not run it.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TEMPORAL="${TEMPORAL_CLI:-$ROOT/bin/temporal}"
TEMPORAL_CLI_VERSION="${TEMPORAL_CLI_VERSION:-v1.5.1}"

log() { printf '[%s] %s\n' "${LOG_TAG:-run}" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ensure_temporal installs the pinned CLI into ./bin if it is missing.
ensure_temporal() {
  if [[ ! -x "$TEMPORAL" ]]; then
    log "installing temporal CLI $TEMPORAL_CLI_VERSION into $ROOT/bin (2-5 minutes on a cold cache)"
    GOBIN="$ROOT/bin" go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION"
  fi
}

# temporal_healthy ADDRESS succeeds when the frontend serves and the default
# namespace exists.
temporal_healthy() {
  "$TEMPORAL" operator cluster health --address "$1" --command-timeout 2s >/dev/null 2>&1 &&
    "$TEMPORAL" operator namespace describe --address "$1" --namespace default --command-timeout 2s >/dev/null 2>&1
}

# wait_until TIMEOUT_SECONDS PID DESCRIPTION COMMAND...: polls COMMAND every
# half second until it succeeds; fails early if PID (when not empty) exits.
wait_until() {
  local timeout=$1 pid=$2 what=$3
  shift 3
  local deadline=$((SECONDS + timeout))
  until "$@"; do
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      log "$what: the process exited while starting"
      return 1
    fi
    if ((SECONDS >= deadline)); then
      log "$what: not ready after ${timeout}s"
      return 1
    fi
    sleep 0.5
  done
}

# port_in_use HOST:PORT succeeds if something accepts connections there.
port_in_use() {
  local host=${1%:*} port=${1##*:}
  [[ -z "$host" ]] && host=127.0.0.1
  (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
}

# stop_group PID [GRACE_SECONDS]: SIGTERM the process group PID leads (the
# process itself if it leads none), wait up to GRACE_SECONDS, then SIGKILL.
stop_group() {
  local pid=$1 grace=${2:-15} target
  kill -0 "$pid" 2>/dev/null || return 0
  target=$pid
  if [[ "$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')" == "$pid" ]]; then
    target=-$pid
  fi
  kill -TERM -- "$target" 2>/dev/null || true
  local deadline=$((SECONDS + grace))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid did not stop in ${grace}s: killing it"
    kill -KILL -- "$target" 2>/dev/null || true
  fi
  # Leftovers of the group (children that outlived their leader).
  if [[ "$target" == -* ]]; then
    kill -KILL -- "$target" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}
