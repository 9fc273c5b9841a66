#!/usr/bin/env bash
# Starts the emulators on 127.0.0.1 and waits until each answers:
#   DynamoDB Local  $DYNAMODB_PORT  (default 8000)
#   moto            $MOTO_PORT      (default 5050)   SQS, SES, S3
#   localstripe     $STRIPE_PORT    (default 8420)
# Pids and logs go to $STACK_DIR (default .local/stack); infra/stop.sh stops exactly those pids.
# Installs the stack first if needed (infra/install.sh is quick when nothing changed).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
DYNAMODB_PORT="${DYNAMODB_PORT:-8000}"
MOTO_PORT="${MOTO_PORT:-5050}"
STRIPE_PORT="${STRIPE_PORT:-8420}"
STACK_DIR="${STACK_DIR:-$root/.local/stack}"
mkdir -p "$STACK_DIR"

bash infra/install.sh

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() { # name port command...
  local name="$1" port="$2"; shift 2
  local pidfile="$STACK_DIR/$name.pid"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "[stack] $name already running (pid $(cat "$pidfile"))"; return
  fi
  if port_busy "$port"; then
    echo "[stack] port $port for $name is taken by another process; set ${name^^}_PORT" >&2; exit 1
  fi
  "$@" >"$STACK_DIR/$name.log" 2>&1 &
  echo $! > "$pidfile"
}

wait_for() { # name port
  local name="$1" port="$2"
  for _ in $(seq 1 300); do
    if port_busy "$port"; then echo "[stack] $name ready on http://127.0.0.1:$port"; return; fi
    if ! kill -0 "$(cat "$STACK_DIR/$name.pid")" 2>/dev/null; then
      echo "[stack] $name exited; its log:" >&2; tail -20 "$STACK_DIR/$name.log" >&2; exit 1
    fi
    sleep 0.1
  done
  echo "[stack] $name did not answer on port $port within 30 s" >&2; exit 1
}

# -sharedDb: one database whatever the access key; the small-JVM flags start it in about 4 s.
# In memory: tests remove their tables as they end; the heap (DYNAMODB_HEAP, default 1g) leaves
# room for the tables of the tests running at once and those of `make run`.
DYNAMODB_HEAP="${DYNAMODB_HEAP:-1g}"
start dynamodb "$DYNAMODB_PORT" bash -c "cd .local/dynamodb && exec java -Xmx$DYNAMODB_HEAP -XX:+UseSerialGC \
  -XX:TieredStopAtLevel=1 -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar \
  -inMemory -sharedDb -disableTelemetry -port $DYNAMODB_PORT"
start moto "$MOTO_PORT" .venv/bin/moto_server -H 127.0.0.1 -p "$MOTO_PORT"
start stripe "$STRIPE_PORT" .venv/bin/python infra/localstripe_server.py --port "$STRIPE_PORT"

wait_for dynamodb "$DYNAMODB_PORT"
wait_for moto "$MOTO_PORT"
wait_for stripe "$STRIPE_PORT"
