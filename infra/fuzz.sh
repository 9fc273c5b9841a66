#!/usr/bin/env bash
# schemathesis against the API: a local server of its own (over the emulators that are already
# up, as infra/test.sh starts them), every phase (examples, coverage, fuzzing, stateful) and
# every check, as an anonymous caller, a customer and an admin, each signed in afresh for this
# run (and again whenever a token expires). A fixed seed and a bounded number of examples keep
# it repeatable and short. Any failure fails the run. Configuration: infra/schemathesis.toml.
#
#   DYNAMODB_PORT, MOTO_PORT, STRIPE_PORT   the emulators (infra/start.sh's defaults otherwise)
#   FUZZ_PORT (13300), FUZZ_EXAMPLES (12)   the server's port; examples per operation and phase
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

port="${FUZZ_PORT:-13300}"
examples="${FUZZ_EXAMPLES:-12}"
base="http://127.0.0.1:$port"
out="$root/.local/fuzz"
rm -rf "$out" && mkdir -p "$out"

# test.sh has built it already, with the whole workspace's features.
[ -n "${SHOP_LOCAL_BUILT:-}" ] || cargo build --quiet -p shop-local
admin_password="fuzz-admin-$(date +%s)-password"
PORT="$port" LOCAL_PREFIX="fuzz-$(date +%s)" LOCAL_DEMO_CATALOG=1 RUST_LOG=warn \
  LOCAL_ADMIN_EMAIL="admin@fuzz.example" LOCAL_ADMIN_PASSWORD="$admin_password" \
  DYNAMODB_ENDPOINT_URL="http://127.0.0.1:${DYNAMODB_PORT:-8000}" \
  AWS_SERVICES_ENDPOINT_URL="http://127.0.0.1:${MOTO_PORT:-5050}" \
  STRIPE_API_BASE="http://127.0.0.1:${STRIPE_PORT:-8420}" \
  ./target/debug/shop-local >"$out/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "$base/api/v1/health" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$out/server.log"; exit 1; }
  sleep 0.5
done

customer_email="customer-$(date +%s)@fuzz.example"
customer_password="fuzz-customer-password"
curl -sf -X POST "$base/api/v1/auth/register" -H 'content-type: application/json' \
  -d "{\"email\":\"$customer_email\",\"password\":\"$customer_password\",\"name\":\"Fuzz\"}" >/dev/null

# The fuzzer sends thousands of requests from this one address: the per-client limits
# (settings `limits`, tested on their own in tests/api/limits.rs) are lifted for it.
.venv/bin/python - "$base" "$admin_password" <<'PY'
import json, sys, urllib.request
base, password = sys.argv[1], sys.argv[2]
def call(method, path, body=None, token=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=None if body is None else json.dumps(body).encode())
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"null")
token = call("POST", "/api/v1/auth/login",
             {"email": "admin@fuzz.example", "password": password})["access_token"]
settings = call("GET", "/api/v1/admin/settings", token=token)
settings["limits"] = {name: 1_000_000 for name in settings["limits"]}
call("PUT", "/api/v1/admin/settings", settings, token)
PY

status=0
run() {
  local role="$1" config="$2"
  shift 2
  echo "[fuzz] $role: every phase and check, $examples examples per operation"
  if ! FUZZ_BASE_URL="$base" .venv/bin/schemathesis --config-file "$config" run \
      "$base/api/v1/openapi.json" --max-examples "$examples" --no-color "$@" \
      --report junit --report-dir "$out/$role" >"$out/$role.log" 2>&1; then
    status=1
    cat "$out/$role.log"
  else
    sed -n '/=== SUMMARY ===/,$p' "$out/$role.log" | grep -E 'generated|passed' || true
  fi
}

run anonymous infra/schemathesis.toml
# The signed-in runs log in through the API and log in again when a token expires.
auth_config() {
  local email="$1" password="$2" file="$3"
  cat infra/schemathesis.toml - >"$file" <<EOF

[auth.dynamic.openapi.bearer]
path = "/api/v1/auth/login"
payload = { email = "$email", password = "$password" }
extract_selector = "/access_token"
EOF
}
auth_config "$customer_email" "$customer_password" "$out/customer.toml"
# Deleting the signed-in account (or failing its password five times, which locks it) would
# end the run's own session: DELETE /me is fuzzed by the anonymous run only.
run customer "$out/customer.toml" --exclude-operation-id me_delete
auth_config "admin@fuzz.example" "$admin_password" "$out/admin.toml"
run admin "$out/admin.toml" --exclude-operation-id me_delete
exit "$status"
