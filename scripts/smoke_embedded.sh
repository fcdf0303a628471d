#!/usr/bin/env bash
# Smoke test of the embedded default: start `make run` on a fresh var dir, fetch a page and the
# OpenAPI schema, see the styled 404 (DEBUG off, no technical page), sign in over plain http, check
# the worker processes events, then stop it with Ctrl-C (SIGINT). Then start it twice more on the
# same var dir: the demo data is not loaded again, and every Ctrl-C is a clean stop (no "exited
# unexpectedly", no make error). No alarming noise in any run's output.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${SMOKE_PORT:-8765}
var=$(mktemp -d)

start() {  # start <log>: make run in its own process group, wait for /healthz
  log=$1
  # The embedded mode must not need PostgreSQL or Redis: drop any CI database/broker settings.
  env -u DATABASE_URL -u CELERY_BROKER_URL BSS_VAR_DIR="$var" BSS_PORT="$port" setsid make run >"$log" 2>&1 &
  pid=$!
  trap 'kill -INT -- -"$pid" 2>/dev/null || true' EXIT
  for i in $(seq 1 240); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "embedded run died:"; tail -50 "$log"; exit 1; fi
    sleep 1
  done
  echo "embedded run did not answer"; tail -50 "$log"; exit 1
}

stop() {  # stop <log>: Ctrl-C to the whole group, as a terminal sends it
  log=$1
  trap - EXIT
  kill -INT -- -"$pid"
  for i in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then echo "did not stop on Ctrl-C"; kill -KILL -- -"$pid"; exit 1; fi
  wait "$pid" || { echo "make run exited non-zero after Ctrl-C"; tail -20 "$log"; exit 1; }
  grep -q "stopped." "$log" || { echo "no clean stop message"; tail -20 "$log"; exit 1; }
  for noise in "exited unexpectedly" "Error 1" "No hostname was supplied" "superuser privileges" \
               "Traceback" "BuildBackendWarning" "AXES: BEGIN"; do
    if grep -q "$noise" "$log"; then echo "alarming output: $noise"; grep -n "$noise" "$log" | head -5; exit 1; fi
  done
}

start "$var/run1.log"
log="$var/run1.log"
page=$(curl -fsS "http://127.0.0.1:$port/accounts/login/")
grep -q "Sign in" <<<"$page" || { echo "login page missing"; exit 1; }
schema=$(curl -fsS "http://127.0.0.1:$port/api/schema/")
grep -q "customerManagement" <<<"$schema" || { echo "schema missing"; exit 1; }
grep -q "productOfferingQualification" <<<"$schema" || { echo "TMF679 missing from schema"; exit 1; }
# DEBUG is off in the embedded run: a 404 is the styled page in the layout, never Django's technical page,
# and the stylesheet comes from WhiteNoise without collectstatic.
code=$(curl -sS -o "$var/404.html" -w '%{http_code}' "http://127.0.0.1:$port/csr/no-such-page/")
[ "$code" = 404 ] || { echo "a missing page answered $code, not 404"; exit 1; }
grep -q 'data-error-page="404"' "$var/404.html" || { echo "404 is not the styled page:"; head -40 "$var/404.html"; exit 1; }
for tech in "DEBUG = True" "Using the URLconf" "Page not found at" "Traceback"; do
  if grep -q "$tech" "$var/404.html"; then echo "technical 404 page ($tech)"; exit 1; fi
done
curl -fsS -o /dev/null "http://127.0.0.1:$port/static/css/bss.css" || { echo "stylesheet not served"; exit 1; }
# Sign-in works over plain http (no Secure-only cookies, no SSL redirect): the demo CSR reaches /csr/.
jar="$var/cookies"
login=$(curl -fsS -c "$jar" "http://127.0.0.1:$port/accounts/login/")
csrf=$(sed -n 's/.*name="csrfmiddlewaretoken" value="\([^"]*\)".*/\1/p' <<<"$login" | head -1)
code=$(curl -sS -o /dev/null -w '%{http_code}' -b "$jar" -c "$jar" -e "http://127.0.0.1:$port/accounts/login/" \
  --data-urlencode "csrfmiddlewaretoken=$csrf" --data-urlencode "username=csr" --data-urlencode "password=demo" \
  "http://127.0.0.1:$port/accounts/login/")
[ "$code" = 302 ] || { echo "demo sign-in answered $code, not a redirect"; exit 1; }
curl -fsS -b "$jar" "http://127.0.0.1:$port/csr/" | grep -q "Back office" || { echo "signed-in /csr/ failed"; exit 1; }
# The worker must be consuming the outbox: fan-out tasks complete.
for i in $(seq 1 60); do
  grep -q "bss.events.fan_out.*succeeded" "$log" && break
  sleep 1
done
grep -q "bss.events.fan_out.*succeeded" "$log" || { echo "worker processed no event"; tail -50 "$log"; exit 1; }
stop "$var/run1.log"

for n in 2 3; do
  start "$var/run$n.log"
  grep -q "demo data present" "$var/run$n.log" || { echo "run $n loaded the demo data again"; exit 1; }
  sleep 3  # let the worker come up, so Ctrl-C reaches a running worker
  stop "$var/run$n.log"
done
echo "embedded smoke test OK (var dir $var)"
