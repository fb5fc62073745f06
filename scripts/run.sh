#!/usr/bin/env bash
# `make run`: migrate, load the demo setting, then serve Keyflow with its Celery worker (and beat) behind it.
# Ctrl-C (or a TERM to this script) stops both the server and the worker; so does either of them dying.
set -euo pipefail

cd "$(dirname "$0")/.."

BIN=.venv/bin
HOST="${KEYFLOW_HOST:-127.0.0.1}"
PORT="${KEYFLOW_PORT:-8000}"
# The demo's log-in line and the links in e-mails point where this server listens, unless told otherwise.
export KEYFLOW_BASE_URL="${KEYFLOW_BASE_URL:-http://$HOST:$PORT}"
LOG_DIR=var/log
WORKER_LOG="$LOG_DIR/worker.log"
SETUP_LOG="$LOG_DIR/setup.log"
WORKER_PID=""
SERVER_PID=""

# Both children run in their own process group (setsid), so one signal reaches runserver's autoreloader
# child and the worker's embedded beat as well, and nothing is left holding the port or the queue.
stop_group() {
    local pid="$1" name="$2"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
    echo "==> Stopping the $name"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    # A warm shutdown lets a running task finish; don't wait for ever.
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.2
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
}
cleanup() {
    stop_group "$SERVER_PID" "web server"
    stop_group "$WORKER_PID" "background worker"
}
# Exec'd in the background subshell, so $! is the child's own pid (and, with setsid, its process group).
in_own_group() {
    if command -v setsid >/dev/null 2>&1; then
        exec setsid "$@"
    fi
    exec "$@"
}
trap cleanup EXIT
# Ctrl-C is how `make run` is meant to stop: a clean exit (0), so make reports no error after it.
trap 'exit 0' INT
trap 'exit 143' TERM HUP

mkdir -p "$LOG_DIR"
# What the steps print goes to the log, so the end of the output is where to open and who to log in as.
step() {
    local what="$1"; shift
    echo "==> $what"
    if ! "$@" >>"$SETUP_LOG" 2>&1; then
        echo "Failed: $what. The end of $SETUP_LOG:" >&2
        tail -n 20 "$SETUP_LOG" >&2
        exit 1
    fi
}
: >"$SETUP_LOG"
step "Applying database migrations (log: $SETUP_LOG)" "$BIN/python" manage.py migrate --noinput
step "Loading the demo setting" "$BIN/python" manage.py load_demo
# load_demo's last line: "Log in at <url> as: user / password (role), ..."
LOGINS="$(grep -m1 '^Log in at ' "$SETUP_LOG" | sed 's/^.* as: //' || true)"

echo "==> Starting the Celery worker with embedded beat (log: $WORKER_LOG)"
in_own_group "$BIN/celery" -A keyflow worker -B --pool=solo --loglevel=INFO \
    --schedule var/celerybeat-schedule >>"$WORKER_LOG" 2>&1 </dev/null &
WORKER_PID=$!

sleep 1
if ! kill -0 "$WORKER_PID" 2>/dev/null; then
    echo "The Celery worker did not start; see $WORKER_LOG:" >&2
    tail -n 20 "$WORKER_LOG" >&2
    exit 1
fi

# DEBUG off, so a wrong address shows Keyflow's own 404 page (as in production), not Django's debug page, and
# an error its 500 page (the traceback is in the server's output). --insecure keeps runserver serving the
# static files, which it otherwise does only with DEBUG on; whitenoise serves them in production.
echo "==> Starting the web server"
DEBUG=0 in_own_group "$BIN/python" manage.py runserver --insecure "$HOST:$PORT" </dev/null &
SERVER_PID=$!

# The block below comes last: wait (a few seconds at most) until the server answers.
for _ in $(seq 1 60); do
    (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.25
done

echo
echo "  ------------------------------------------------------------------"
echo "  Keyflow is running: open  http://$HOST:$PORT/"
if [[ -n "$LOGINS" ]]; then
    echo "  Log in as (user / password):"
    echo "$LOGINS" | sed 's/), /)\n/g' | sed 's/^/    /'
fi
echo "  Ctrl-C stops the server and the worker."
echo "  ------------------------------------------------------------------"
echo

# `wait -n` returns as soon as either child ends (or a signal arrives, running the traps at once): a
# worker that dies takes the server down with it rather than leaving a half-working app.
status=0
if (( BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] >= 501 )); then
    wait -n "$SERVER_PID" "$WORKER_PID" || status=$?
else
    wait "$SERVER_PID" || status=$?
fi
if ! kill -0 "$WORKER_PID" 2>/dev/null; then
    echo "The Celery worker stopped; see $WORKER_LOG." >&2
fi
exit "$status"
