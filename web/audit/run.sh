#!/usr/bin/env bash
# Runs the audit against a fresh duban: called by `make audit` inside
# `duban-dev devdb exec`, which provides DATABASE_URL.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
export LISTEN_ADDR=127.0.0.1:18080 LOG_LEVEL=warn
"$top/bin/duban-dev" dev --data "$work" > "$work/dev.log" 2>&1 &
for i in $(seq 1 120); do
  curl -sf "http://$LISTEN_ADDR/readyz" >/dev/null && break
  sleep 0.5
done
curl -sf "http://$LISTEN_ADDR/readyz" >/dev/null || { cat "$work/dev.log"; echo "audit: the server did not start"; exit 1; }
cd "$here"
AUDIT_URL="http://$LISTEN_ADDR" AUDIT_ACCOUNTS="$work/demo-accounts.txt" AUDIT_OUT="$top/testout/audit" node audit.mjs
