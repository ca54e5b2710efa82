#!/usr/bin/env sh
# Registers the default namespace (7 days' retention) and the product's
# search attributes, EntrataPropertyId and SyncState (Keyword). The server
# creates no namespace by itself. Idempotent. Used by `make cluster`,
# `make cluster-test` and docker-compose.yml (temporal-namespace one-shot).
#
# Environment: TEMPORAL (the CLI, default: temporal on PATH), TEMPORAL_ADDRESS.
set -eu
cli=${TEMPORAL:-temporal}
ns=${TEMPORAL_NAMESPACE:-default}
if "$cli" operator namespace describe --namespace "$ns" >/dev/null 2>&1; then
  echo "setup-namespace: namespace $ns exists"
else
  "$cli" operator namespace create --namespace "$ns" --retention 7d
fi
# A new namespace reaches every service's cache within a few seconds.
i=0
until "$cli" operator search-attribute list --namespace "$ns" >/dev/null 2>&1; do
  i=$((i + 1))
  [ "$i" -lt 40 ] || { echo "setup-namespace: namespace $ns not usable" >&2; exit 1; }
  sleep 0.5
done
for attr in EntrataPropertyId SyncState; do
  if "$cli" operator search-attribute list --namespace "$ns" | grep -qw "$attr"; then
    echo "setup-namespace: search attribute $attr exists"
  else
    "$cli" operator search-attribute create --namespace "$ns" --name "$attr" --type Keyword
  fi
done
