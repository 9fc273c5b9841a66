#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, the template check, every crate's
# unit tests and the HTTP integration tests against real emulators. The emulators run on their
# own ports (18000, 15050, 18420) so that `make run` can stay up meanwhile; exactly the
# processes started here are stopped at the end.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# Each step prints the seconds since the start, so a slow step shows in CI's log.
step() { printf '\n== %s [%ss]\n' "$*" "$SECONDS"; }

step "install the local stack"
bash infra/install.sh

step "admin console: npm ci and build when changed, unit tests (Vitest)"
mkdir -p .local
set +e
bash infra/admin.sh unit 2>&1 | tee .local/admin-unit.log
unit_status="${PIPESTATUS[0]}"
set -e

step "cargo fmt --check"
cargo fmt --all --check

step "cfn-lint template.yaml"
.venv/bin/cfn-lint template.yaml

step "cargo clippy (every crate and target, warnings are errors)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

# One build of everything, with the features of the whole workspace: building one package
# (`-p functions`, `-p shop-local`) unifies its dependencies' features apart, which compiled the
# AWS SDK and the shop crate again for each (fuzz.sh and admin.sh build only when run alone).
step "build every crate and target once (the Lambda binaries, the local server, the tests)"
cargo build --quiet --workspace --all-targets
export SHOP_LOCAL_BUILT=1

step "the generated OpenAPI document is valid OpenAPI 3.1"
mkdir -p .local
target/debug/shop-local openapi > .local/openapi.json
.venv/bin/python -c 'import json, sys; from openapi_spec_validator import validate; d = json.load(open(sys.argv[1])); validate(d); print("valid OpenAPI", d["openapi"], "with", len(d["paths"]), "paths")' .local/openapi.json

step "start the test emulators"
export STACK_DIR="$root/.local/test-stack" DYNAMODB_PORT=18000 MOTO_PORT=15050 STRIPE_PORT=18420
bash infra/start.sh
trap 'bash infra/stop.sh' EXIT
export TEST_DYNAMODB_ENDPOINT_URL="http://127.0.0.1:$DYNAMODB_PORT"
export TEST_AWS_SERVICES_ENDPOINT_URL="http://127.0.0.1:$MOTO_PORT"
export TEST_STRIPE_API_BASE="http://127.0.0.1:$STRIPE_PORT"

step "schemathesis: every phase and check, as an anonymous caller, a customer and an admin"
set +e
bash infra/fuzz.sh
fuzz_status=$?
set -e

step "tests: unit tests of every crate, HTTP tests against the emulators (cargo nextest)"
if ! cargo nextest --version >/dev/null 2>&1; then
  echo "[test] installing cargo-nextest (not on this machine)"
  cargo install --locked cargo-nextest@0.9.143
fi
log="$STACK_DIR/nextest.log"
set +e
cargo nextest run --workspace --no-fail-fast 2>&1 | tee "$log"
status="${PIPESTATUS[0]}"
set -e

step "admin console in Chromium (Playwright; screenshots in admin/test-results/screens/)"
set +e
bash infra/admin.sh e2e 2>&1 | tee "$STACK_DIR/admin-e2e.log"
e2e_status="${PIPESTATUS[0]}"
set -e

# Stop the emulators now, so the last line printed is the tests' own summary.
trap - EXIT
bash infra/stop.sh >/dev/null
summary="$(grep -E '^ +Summary' "$log" | tail -n1)"
passed="$(sed -nE 's/.* ([0-9]+) passed.*/\1/p' <<<"$summary")"
failed="$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$summary")"
# The console's tests count with the rest: Vitest's "Tests  N passed | M failed (K)" and
# Playwright's "N passed" / "N failed" lines.
count() { grep -oE "$1" "$2" 2>/dev/null | grep -oE '[0-9]+' | tail -n1 || true; }
unit_passed="$(count '[0-9]+ passed' .local/admin-unit.log)"
unit_failed="$(grep -E '^ +Tests ' .local/admin-unit.log | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || true)"
e2e_passed="$(count '^ +[0-9]+ passed' "$STACK_DIR/admin-e2e.log")"
e2e_failed="$(count '^ +[0-9]+ failed' "$STACK_DIR/admin-e2e.log")"
passed=$(( ${passed:-0} + ${unit_passed:-0} + ${e2e_passed:-0} ))
failed=$(( ${failed:-0} + ${unit_failed:-0} + ${e2e_failed:-0} ))
for s in "$unit_status" "$e2e_status"; do
  if [ "$s" -ne 0 ] && [ "$status" -eq 0 ]; then
    echo "the admin console's tests failed: see above ($STACK_DIR/admin-e2e.log, .local/admin-unit.log)"
    status="$s"
  fi
done
if [ "$fuzz_status" -ne 0 ]; then
  echo "schemathesis found failures: see above (and .local/fuzz/)"
  [ "$status" -ne 0 ] || status="$fuzz_status"
fi
echo
echo "tests: ${passed} passed, ${failed} failed"
exit "$status"
