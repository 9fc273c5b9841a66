#!/usr/bin/env bash
# Stops exactly the emulator processes infra/start.sh started (by the pids it recorded).
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
STACK_DIR="${STACK_DIR:-$root/.local/stack}"
for pidfile in "$STACK_DIR"/*.pid; do
  [ -f "$pidfile" ] || continue
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    echo "[stack] stopped $(basename "$pidfile" .pid) (pid $pid)"
  fi
  rm -f "$pidfile"
done
