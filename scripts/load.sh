#!/usr/bin/env bash
# `make load`: 50 simulated staff working their inboxes for LOAD_SECONDS (300 by default) against a server on
# loopback, then the checks: no 5xx, p95 reported, no duplicated or stuck tasks. Not part of `make test`.
#
# Uses DATABASE_URL if set (PostgreSQL, as in production), else its own SQLite file var/load.sqlite3.
# The load setting is rebuilt each run (scripts/load_scale.py --reset); other settings are left alone. Staff
# start signed in (sessions made by scripts/load_scale.py), so the run measures the inbox, not fifty password
# hashes at once; LOAD_LOGIN=1 makes each log in through the form instead. They arrive LOAD_SPAWN_RATE a second.
set -euo pipefail

cd "$(dirname "$0")/.."

BIN=.venv/bin
PORT="${LOAD_PORT:-8108}"
SECONDS_TO_RUN="${LOAD_SECONDS:-300}"
USERS="${LOAD_USERS:-50}"
OUT=var/load
SERVER_PID=""

export DATABASE_URL="${DATABASE_URL:-sqlite:///$PWD/var/load.sqlite3}"
# Mail goes nowhere and the e-mail job runs in the request's after-commit hook: no worker to start.
export EMAIL_URL=dummymail:// CELERY_TASK_ALWAYS_EAGER=1 DEBUG=0 LOG_LEVEL=WARNING

stop_server() {
    [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null || return 0
    kill -TERM -- "-$SERVER_PID" 2>/dev/null || kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || return 0; sleep 0.2; done
    kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
}
trap stop_server EXIT

if ! "$BIN/python" -c "import locust" 2>/dev/null; then
    echo "==> Installing the load test tools (pyproject.toml [load])"
    "$BIN/python" -m pip install --quiet --disable-pip-version-check --no-input -e ".[load]"
fi

mkdir -p "$OUT"
rm -f "$OUT"/access.log "$OUT"/locust_*.csv  # gunicorn appends: each run is judged on its own requests
echo "==> Database: ${DATABASE_URL%%://*}; building the load setting ($USERS staff)"
"$BIN/python" manage.py migrate --noinput -v0
"$BIN/python" scripts/load_scale.py --reset --staff "$USERS" --sessions-file "$OUT/sessions.json"

echo "==> Starting gunicorn on 127.0.0.1:$PORT (log: $OUT/server.log)"
setsid "$BIN/gunicorn" keyflow.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 --threads 8 \
    --worker-class gthread --timeout 60 --graceful-timeout 5 --keep-alive 10 --no-control-socket --access-logfile "$OUT/access.log" >"$OUT/server.log" 2>&1 </dev/null &
SERVER_PID=$!
for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$PORT/accounts/login/" 2>/dev/null && break
    sleep 0.2
done

echo "==> $USERS staff working their inboxes for ${SECONDS_TO_RUN}s"
LOAD_STAFF="$USERS" LOAD_SESSIONS="$OUT/sessions.json" "$BIN/locust" -f scripts/locustfile.py --headless --host "http://127.0.0.1:$PORT" \
    -u "$USERS" -r "${LOAD_SPAWN_RATE:-5}" -t "${SECONDS_TO_RUN}s" --csv "$OUT/locust" --only-summary --loglevel WARNING \
    --exit-code-on-error 0 >"$OUT/locust.log" 2>&1 || true
stop_server

echo "==> Results"
status=0
"$BIN/python" scripts/load_report.py "$OUT/locust_stats.csv" "$OUT/access.log" || status=1
"$BIN/python" manage.py workflow_health || status=1
exit "$status"
