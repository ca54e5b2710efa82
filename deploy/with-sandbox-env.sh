#!/bin/sh
# Runs a command with the sandbox's credentials (KEY=VALUE lines written by
# `sandbox --data DIR` to DIR/sandbox.env), for docker-compose. Hosts the
# sandbox wrote as loopback or 0.0.0.0 become SANDBOX_HOST, the sandbox's
# name on the compose network. Variables already set win over the file.
set -eu
env_file=${SANDBOX_ENV:-/data/sandbox.env}
host=${SANDBOX_HOST:-sandbox}
[ -s "$env_file" ] || { echo "with-sandbox-env: $env_file is missing or empty" >&2; exit 1; }
while IFS= read -r line || [ -n "$line" ]; do
  case $line in '' | '#'*) continue ;; *=*) ;; *) continue ;; esac
  key=${line%%=*}
  value=${line#*=}
  case $key in [!A-Za-z_]* | *[!A-Za-z0-9_]*) echo "with-sandbox-env: skipping bad name '$key'" >&2; continue ;; esac
  eval "set_already=\${$key+x}"
  [ -n "$set_already" ] && continue
  value=$(printf '%s' "$value" | sed -e "s#//127\.0\.0\.1:#//$host:#g" -e "s#//0\.0\.0\.0:#//$host:#g" -e "s#//localhost:#//$host:#g")
  export "$key=$value"
done <"$env_file"
exec "$@"
