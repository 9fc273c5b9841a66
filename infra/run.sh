#!/usr/bin/env bash
# Runs the whole shop locally: installs and starts the emulators, then the local server on
# http://127.0.0.1:${PORT:-3000} with the admin console (built when its sources changed) at
# /admin/. Ctrl-C stops the server and exactly the emulators started here.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash infra/admin.sh build
bash infra/start.sh
trap 'bash infra/stop.sh' EXIT
export DYNAMODB_ENDPOINT_URL="http://127.0.0.1:${DYNAMODB_PORT:-8000}"
export AWS_SERVICES_ENDPOINT_URL="http://127.0.0.1:${MOTO_PORT:-5050}"
export STRIPE_API_BASE="http://127.0.0.1:${STRIPE_PORT:-8420}"
cargo run --quiet -p shop-local
