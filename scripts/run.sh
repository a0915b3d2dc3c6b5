#!/usr/bin/env bash
# Start SkillCert for development (what `make run` does):
#   install dependencies, create var/ and a development personal-data key, migrate,
#   load the demo province, then run the web server and the task worker side by side.
# Ctrl-C (or SIGTERM) stops both processes; if either one dies, the other is stopped too.
#
# Environment: UV (path to uv, default: uv), HOST (127.0.0.1), PORT (8000),
# TASKS_BACKEND (db | rq | immediate; default db), plus everything settings.py reads.
set -euo pipefail

cd "$(dirname "$0")/.."

UV="${UV:-uv}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
URL="http://${HOST}:${PORT}/"

# Development mode: SECRET_KEY is optional, cookies work over plain HTTP.
export DEBUG=true
export SITE_URL="${SITE_URL:-http://${HOST}:${PORT}}"
TASKS_BACKEND="${TASKS_BACKEND:-db}"

say() { printf '\n==> %s\n' "$*"; }

say "Installing dependencies (uv sync --frozen)"
"$UV" sync --frozen
# The project's interpreter; children are started with it directly (not via `uv run`),
# so the PIDs we hold are the server and worker themselves.
PY="$("$UV" run --frozen python -c 'import sys; print(sys.executable)')"

VAR_DIR="${SKILLCERT_VAR_DIR:-var}"
mkdir -p "$VAR_DIR"

if [[ -z "${SKILLCERT_DATA_KEY:-}" ]]; then
    key_file="${SKILLCERT_DATA_KEY_FILE:-$VAR_DIR/data.key}"
    if [[ ! -f "$key_file" ]]; then
        say "Generating a development personal-data key in $key_file"
        "$PY" manage.py generate_data_key
    fi
fi

say "Applying migrations"
"$PY" manage.py migrate --noinput

say "Loading the demo province (seed_demo)"
"$PY" manage.py seed_demo

pids=()
names=()

stop_children() {
    local pid
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    # Give them a few seconds to finish cleanly, then insist.
    for _ in $(seq 1 50); do
        local alive=0
        for pid in "${pids[@]}"; do
            if kill -0 "$pid" 2>/dev/null; then alive=1; fi
        done
        ((alive)) || break
        sleep 0.1
    done
    for pid in "${pids[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
}

on_signal() {
    trap - INT TERM EXIT
    printf '\n==> Stopping web server and task worker\n'
    stop_children
    exit "$1"
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'stop_children' EXIT

start() {
    local name="$1"
    shift
    "$@" &
    pids+=("$!")
    names+=("$name")
}

say "Starting web server on $URL"
start "web server" "$PY" manage.py runserver "${HOST}:${PORT}" --noreload

case "$TASKS_BACKEND" in
    db)
        say "Starting task worker (db_worker)"
        start "task worker" "$PY" manage.py db_worker --no-reload
        ;;
    rq)
        say "Starting task worker (rqworker)"
        start "task worker" "$PY" manage.py rqworker default --job-class django_tasks_rq.Job --with-scheduler
        ;;
    immediate)
        say "TASKS_BACKEND=immediate: tasks run inside the web process, no worker started"
        ;;
    *)
        echo "TASKS_BACKEND must be db, rq or immediate, got '$TASKS_BACKEND'" >&2
        exit 2
        ;;
esac

# Wait until the server accepts connections (bash's /dev/tcp: no curl needed).
for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/${HOST}/${PORT}") 2>/dev/null; then
        break
    fi
    kill -0 "${pids[0]}" 2>/dev/null || break
    sleep 0.2
done

"$PY" manage.py seed_demo --logins-only
cat <<EOF

==> SkillCert is running at ${URL}
    web server PID ${pids[0]}${pids[1]:+, task worker PID ${pids[1]}}
    Press Ctrl-C to stop.

EOF

# Run until Ctrl-C, or until one child exits (then stop the other and report it).
status=0
wait -n "${pids[@]}" || status=$?
for i in "${!pids[@]}"; do
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
        echo "==> The ${names[$i]} exited (status $status); stopping the rest." >&2
        break
    fi
done
trap - INT TERM EXIT
stop_children
exit "$((status == 0 ? 1 : status))"
