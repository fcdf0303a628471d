#!/usr/bin/env bash
# Smoke test of the embedded default: start `make run` on a fresh var dir, fetch a page and the
# OpenAPI schema, check the worker processes events, then stop it with Ctrl-C (SIGINT).
set -euo pipefail
cd "$(dirname "$0")/.."
port=${SMOKE_PORT:-8765}
var=$(mktemp -d)
log="$var/run.log"
# The embedded mode must not need PostgreSQL or Redis: drop any CI database/broker settings.
env -u DATABASE_URL -u CELERY_BROKER_URL BSS_VAR_DIR="$var" BSS_PORT="$port" setsid make run >"$log" 2>&1 &
pid=$!
cleanup() { kill -INT -- -"$pid" 2>/dev/null || true; }
trap cleanup EXIT
for i in $(seq 1 240); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "embedded run died:"; tail -50 "$log"; exit 1; fi
  sleep 1
done
page=$(curl -fsS "http://127.0.0.1:$port/accounts/login/")
grep -q "Sign in" <<<"$page" || { echo "login page missing"; exit 1; }
schema=$(curl -fsS "http://127.0.0.1:$port/api/schema/")
grep -q "customerManagement" <<<"$schema" || { echo "schema missing"; exit 1; }
grep -q "productOfferingQualification" <<<"$schema" || { echo "TMF679 missing from schema"; exit 1; }
# The worker must be consuming the outbox: fan-out tasks complete.
for i in $(seq 1 60); do
  grep -q "bss.events.fan_out.*succeeded" "$log" && break
  sleep 1
done
grep -q "bss.events.fan_out.*succeeded" "$log" || { echo "worker processed no event"; tail -50 "$log"; exit 1; }
trap - EXIT
kill -INT -- -"$pid"
for i in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$pid" 2>/dev/null; then echo "did not stop on Ctrl-C"; kill -KILL -- -"$pid"; exit 1; fi
grep -q "stopped." "$log" || { echo "no clean stop message"; tail -20 "$log"; exit 1; }
echo "embedded smoke test OK (var dir $var)"
