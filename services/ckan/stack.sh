#!/usr/bin/env bash
# A real CKAN 2.12 for tests: PostgreSQL 15, Redis, an in-memory Solr stand-in
# (solr_standin.py) and CKAN itself, all on 127.0.0.1, state under one run dir.
#
#   stack.sh up       start everything (fresh database and index); idempotent
#   stack.sh down     stop everything that `up` started, by recorded PID
#   stack.sh status   say what is running
#   stack.sh env      print $CKAN_RUN_DIR/ckan.env (CKAN_URL, CKAN_API_TOKEN, ...)
#
# Settings (environment): CKAN_RUN_DIR (default <repo>/.run/ckan), REPORTPUB_CACHE
# (default ~/.cache/reportpub; CKAN's own virtualenv is kept there), CKAN_VENV,
# CKAN_PYTHON, CKAN_PG_PORT (15432), CKAN_REDIS_PORT (16379), CKAN_SOLR_PORT
# (18983), CKAN_PORT (15000), CKAN_ORG (reportpub-test), CKAN_START_TIMEOUT (120 s).
# Needs root (apt-get, runuser for PostgreSQL). See README.md beside this file.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VERSION=2.12.0
RUN_DIR="${CKAN_RUN_DIR:-$(cd "$HERE/../.." && pwd)/.run/ckan}"
CACHE="${REPORTPUB_CACHE:-${HOME:-/root}/.cache/reportpub}"
VENV="${CKAN_VENV:-$CACHE/ckan-venv-$VERSION}"
PYTHON="${CKAN_PYTHON:-}"
PG_PORT="${CKAN_PG_PORT:-15432}"
REDIS_PORT="${CKAN_REDIS_PORT:-16379}"
SOLR_PORT="${CKAN_SOLR_PORT:-18983}"
HTTP_PORT="${CKAN_PORT:-15000}"
ORG="${CKAN_ORG:-reportpub-test}"
START_TIMEOUT="${CKAN_START_TIMEOUT:-120}"
PG_BIN="${CKAN_PG_BIN:-}"  # default: /usr/lib/postgresql/15/bin, else the newest there
# CKAN reads every CKAN_* variable of its environment into its config, and some
# (CKAN_SOLR_URL, CKAN_SITE_URL, ...) override ckan.ini: keep them all away from it.
for v in $(compgen -v CKAN_ || true); do unset "$v"; done

ADMIN=ckan_admin
ADMIN_PASSWORD=reportpub-admin-pw
URL="http://127.0.0.1:$HTTP_PORT"
INI="$RUN_DIR/ckan.ini"
ENV_FILE="$RUN_DIR/ckan.env"
PG_DIR="$RUN_DIR/postgres"          # owned by the postgres user: data, socket, log
SETUP_LOG="$RUN_DIR/ckan-setup.log" # output of the ckan CLI calls
SERVICES="ckan solr redis postgres" # stop order
T0=$(date +%s%N)
STARTED=0

say() { local ms=$(( ($(date +%s%N) - T0) / 1000000 )); printf '[%3d.%01ds] %s\n' $((ms / 1000)) $((ms % 1000 / 100)) "$*"; }

die() { # message [log file to show]
    echo "stack.sh: $1" >&2
    if [ -n "${2:-}" ] && [ -f "$2" ]; then
        echo "----- last lines of $2 -----" >&2
        tail -n 40 "$2" >&2
        echo "-----" >&2
    fi
    if [ "$STARTED" = 1 ]; then
        STARTED=0
        echo "stack.sh: stopping what was started (logs stay in $RUN_DIR)" >&2
        do_down >/dev/null 2>&1 || true
    fi
    exit 1
}

run() { # log command... : run, output to log; on failure show the log and stop
    local log=$1; shift
    "$@" >>"$log" 2>&1 || die "failed: $*" "$log"
}

pid_of() { cat "$RUN_DIR/$1.pid" 2>/dev/null || true; }

alive() { # service: its recorded PID runs, and is the program we started
    local pid pattern
    pid=$(pid_of "$1")
    [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
    case $1 in
        ckan) pattern=" run --host" ;; solr) pattern=solr_standin.py ;;
        redis) pattern=redis-server ;; postgres) pattern=postgres ;;
    esac
    local cmdline
    cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ $cmdline == *"$pattern"* ]]
}

ckan_answers() { curl -sf -m 5 "$URL/api/3/action/status_show" >/dev/null 2>&1; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_bg() { # service log command... : start detached, record the PID
    local name=$1 log=$2; shift 2
    setsid "$@" >>"$log" 2>&1 </dev/null 8>&- 9>&- &  # no lock fds for children
    echo $! >"$RUN_DIR/$name.pid"
}

wait_for() { # service log seconds command... : poll until the command succeeds
    local name=$1 log=$2 deadline=$(( $(date +%s) + $3 )); shift 3
    until "$@" >/dev/null 2>&1; do
        alive "$name" || die "$name exited while starting" "$log"
        [ "$(date +%s)" -lt "$deadline" ] || die "$name did not answer in time" "$log"
        sleep 0.3
    done
}

ensure_packages() {
    local p missing=()
    for p in postgresql redis-server libpq-dev gcc curl; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing Debian packages: ${missing[*]}"
    [ "$(id -u)" = 0 ] || die "need root to install: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    local log="$RUN_DIR/apt.log"
    # Wait for the dpkg lock rather than fail when another apt-get is running.
    run "$log" apt-get -o DPkg::Lock::Timeout=600 update
    run "$log" apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
}

venv_ok() {
    [ -f "$VENV/.complete" ] && "$VENV/bin/python" -c "
import ckan, psycopg2, pysolr, redis, sqlalchemy
assert ckan.__version__ == '$VERSION', ckan.__version__" >/dev/null 2>&1
}

ensure_venv() {
    mkdir -p "$(dirname "$VENV")"
    exec 8>"$VENV.lock"
    flock -w 900 8 || die "timed out waiting for another build of $VENV"
    if venv_ok; then
        say "CKAN virtualenv: $VENV (reused)"
        exec 8>&-
        return 0
    fi
    if [ -z "$PYTHON" ]; then
        for PYTHON in /root/.pyenv/versions/3.11.7/bin/python3 python3.11 python3; do
            command -v "$PYTHON" >/dev/null && break
        done
    fi
    say "building CKAN virtualenv $VENV with $PYTHON (ckan[requirements]==$VERSION)"
    local log="$RUN_DIR/pip.log"
    rm -rf "$VENV"
    run "$log" "$PYTHON" -m venv "$VENV"
    run "$log" "$VENV/bin/pip" install --no-input "ckan[requirements]==$VERSION"
    touch "$VENV/.complete"
    venv_ok || { rm -f "$VENV/.complete"; die "the new virtualenv does not import ckan" "$log"; }
    exec 8>&-
}

pg_bin() {
    [ -n "$PG_BIN" ] || PG_BIN=/usr/lib/postgresql/15/bin
    [ -x "$PG_BIN/initdb" ] || PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -x "$PG_BIN/initdb" ] || die "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin"
}

start_postgres() {
    pg_bin
    mkdir -p "$PG_DIR"
    chown postgres: "$PG_DIR"
    chmod 700 "$PG_DIR"
    runuser -u postgres -- test -w "$PG_DIR" ||
        die "the postgres user cannot reach $PG_DIR (a parent directory is not world-searchable?)"
    local log="$PG_DIR/postgres.log"
    (cd "$PG_DIR" && runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres \
        --auth=trust --no-locale -E UTF8 --no-sync) >"$RUN_DIR/initdb.log" 2>&1 ||
        die "initdb failed" "$RUN_DIR/initdb.log"
    local opts="-p $PG_PORT -k $PG_DIR/socket -c listen_addresses=127.0.0.1 -c fsync=off"
    opts+=" -c synchronous_commit=off -c full_page_writes=off"
    mkdir -p "$PG_DIR/socket"
    chown postgres: "$PG_DIR/socket"
    (cd "$PG_DIR" && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$log" -w -t 60 \
        -o "$opts" start 8>&- 9>&-) >>"$RUN_DIR/initdb.log" 2>&1 ||
        die "PostgreSQL did not start" "$log"
    head -n 1 "$PG_DIR/data/postmaster.pid" >"$RUN_DIR/postgres.pid"
    run "$log" "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -q \
        -c "CREATE ROLE ckan LOGIN PASSWORD 'ckan'" \
        -c "CREATE DATABASE ckan OWNER ckan ENCODING 'UTF8' TEMPLATE template0"
}

write_config() {
    local ckan="$VENV/bin/ckan"
    run "$SETUP_LOG" "$ckan" generate config "$INI"
    run "$SETUP_LOG" "$ckan" config-tool "$INI" \
        "sqlalchemy.url=postgresql://ckan:ckan@127.0.0.1:$PG_PORT/ckan" \
        "ckan.site_url=$URL" \
        "ckan.site_id=default" \
        "solr_url=http://127.0.0.1:$SOLR_PORT/solr/ckan" \
        "ckan.redis.url=redis://127.0.0.1:$REDIS_PORT/0" \
        "ckan.storage_path=$RUN_DIR/storage" \
        "ckan.plugins=activity" \
        "ckan.max_resource_size=100"
}

do_up() {
    mkdir -p "$RUN_DIR"
    exec 9>"$RUN_DIR/.lock"
    flock -w 900 9 || die "another stack.sh holds $RUN_DIR/.lock"
    if alive ckan && alive solr && alive redis && alive postgres && ckan_answers; then
        echo "CKAN stack already up at $URL (env: $ENV_FILE)"
        return 0
    fi
    local s
    for s in $SERVICES; do
        if alive "$s"; then
            say "a previous stack is partly running: stopping it first"
            do_down >/dev/null
            break
        fi
    done
    for s in "$PG_PORT" "$REDIS_PORT" "$SOLR_PORT" "$HTTP_PORT"; do
        port_busy "$s" && die "port $s on 127.0.0.1 is taken by another program; choose others with CKAN_PG_PORT, CKAN_REDIS_PORT, CKAN_SOLR_PORT, CKAN_PORT"
    done
    case $RUN_DIR in *[[:space:]]*) die "CKAN_RUN_DIR must not contain spaces" ;; esac

    # A fresh state every time: remove only what this script creates.
    rm -rf "$PG_DIR" "$RUN_DIR/storage" "$INI" "$ENV_FILE" "$RUN_DIR"/*.log "$RUN_DIR"/*.pid
    mkdir -p "$RUN_DIR/storage"
    ensure_packages
    ensure_venv
    STARTED=1

    start_postgres
    say "PostgreSQL up on port $PG_PORT (pid $(pid_of postgres))"

    start_bg redis "$RUN_DIR/redis.log" redis-server --bind 127.0.0.1 --port "$REDIS_PORT" \
        --save "" --appendonly no --dir "$RUN_DIR" --protected-mode yes
    start_bg solr "$RUN_DIR/solr.log" "$VENV/bin/python" -u "$HERE/solr_standin.py" \
        --host 127.0.0.1 --port "$SOLR_PORT"
    write_config
    wait_for redis "$RUN_DIR/redis.log" 20 port_busy "$REDIS_PORT"
    wait_for solr "$RUN_DIR/solr.log" 20 curl -sf "http://127.0.0.1:$SOLR_PORT/solr/ckan/admin/ping"
    say "Redis up on port $REDIS_PORT, Solr stand-in on port $SOLR_PORT, ckan.ini written"

    local ckan="$VENV/bin/ckan"
    run "$SETUP_LOG" "$ckan" -c "$INI" db init
    say "database initialised"
    start_bg ckan "$RUN_DIR/ckan.log" "$ckan" -c "$INI" run --host 127.0.0.1 \
        --port "$HTTP_PORT" --disable-reloader
    run "$SETUP_LOG" "$ckan" -c "$INI" sysadmin add --create "$ADMIN" \
        email=admin@example.invalid password="$ADMIN_PASSWORD"
    local token
    token=$("$ckan" -c "$INI" user token add "$ADMIN" reportpub-tests 2>>"$SETUP_LOG" | tail -n 1 | tr -d '[:space:]') ||
        die "could not create an API token" "$SETUP_LOG"
    [[ $token =~ ^[A-Za-z0-9._-]{20,}$ ]] || die "unexpected API token output: $token" "$SETUP_LOG"
    say "sysadmin $ADMIN and API token created"

    wait_for ckan "$RUN_DIR/ckan.log" "$START_TIMEOUT" ckan_answers
    say "CKAN answers at $URL"

    local answer
    answer=$(curl -sS -m 30 -H "Authorization: $token" -H "Content-Type: application/json" \
        -d "{\"name\": \"$ORG\", \"title\": \"reportpub tests\"}" \
        "$URL/api/3/action/organization_create" 2>&1) || true
    # organization_create can fail after saving (README); check instead of retrying.
    curl -sf -m 30 -H "Authorization: $token" "$URL/api/3/action/organization_show?id=$ORG" \
        >/dev/null || { echo "$answer" >>"$SETUP_LOG"; die "could not create organisation $ORG" "$RUN_DIR/ckan.log"; }
    say "organisation $ORG created"

    cat >"$ENV_FILE.tmp" <<EOF
# Written by services/ckan/stack.sh up; removed by stack.sh down.
CKAN_URL=$URL
CKAN_API_TOKEN=$token
CKAN_ORG=$ORG
CKAN_SYSADMIN=$ADMIN
CKAN_SYSADMIN_PASSWORD=$ADMIN_PASSWORD
CKAN_STACK_RUN_DIR=$RUN_DIR
CKAN_STACK_INI=$INI
CKAN_STACK_VENV=$VENV
CKAN_PID=$(pid_of ckan)
SOLR_PID=$(pid_of solr)
REDIS_PID=$(pid_of redis)
POSTGRES_PID=$(pid_of postgres)
EOF
    mv "$ENV_FILE.tmp" "$ENV_FILE"
    STARTED=0
    say "CKAN stack up; env file: $ENV_FILE"
}

stop_pid() { # service : TERM, wait up to 20 s, then KILL
    local pid i
    pid=$(pid_of "$1")
    alive "$1" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 100); do
        alive "$1" || return 0
        sleep 0.2
    done
    echo "stack.sh: $1 (pid $pid) ignored SIGTERM; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
}

do_down() {
    local s
    for s in $SERVICES; do
        if [ "$s" = postgres ] && alive postgres; then
            echo "stopping postgres (pid $(pid_of postgres))"
            pg_bin
            (cd / && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 \
                stop) >/dev/null 2>&1 || true
        fi
        if alive "$s"; then
            echo "stopping $s (pid $(pid_of "$s"))"
            stop_pid "$s"
        fi
        alive "$s" && die "could not stop $s (pid $(pid_of "$s"))"
        rm -f "$RUN_DIR/$s.pid"
    done
    rm -f "$ENV_FILE"
    echo "CKAN stack down"
}

do_status() {
    local s up=0
    for s in $SERVICES; do
        if alive "$s"; then
            echo "$s: running (pid $(pid_of "$s"))"
            up=$((up + 1))
        else
            echo "$s: not running"
        fi
    done
    if ckan_answers; then echo "CKAN answers at $URL"; else echo "CKAN does not answer at $URL"; fi
    [ "$up" = 4 ]
}

case "${1:-}" in
    up) do_up ;;
    down) do_down ;;
    status) do_status ;;
    env) [ -f "$ENV_FILE" ] || die "no $ENV_FILE: the stack is not up"; cat "$ENV_FILE" ;;
    *) echo "usage: $0 up|down|status|env" >&2; exit 2 ;;
esac
