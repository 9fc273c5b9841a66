#!/usr/bin/env bash
# The admin console (admin/): installs its pinned packages with `npm ci` when
# package-lock.json changed, and builds admin/dist when any of its sources changed, so that
# `make run` and `make test` serve a console that matches the sources without rebuilding it
# every time. `infra/admin.sh test` also runs its unit tests (Vitest) and, with the test
# emulators up, its browser tests (Playwright driving Debian's Chromium).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/admin"
say() { printf '[admin] %s\n' "$*"; }

lock_hash="$(sha256sum package-lock.json | cut -c1-16)"
if [ "$(cat node_modules/.installed 2>/dev/null)" != "$lock_hash" ]; then
  say "npm ci ($(grep -c '"node_modules/' package-lock.json) pinned packages)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.installed
fi

source_hash="$(find src index.html vite.config.ts tsconfig.json package-lock.json -type f -print0 \
  | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
if [ ! -f dist/index.html ] || [ "$(cat node_modules/.built 2>/dev/null)" != "$source_hash" ]; then
  say "building the console into admin/dist"
  npm run --silent build
  echo "$source_hash" > node_modules/.built
fi

case "${1:-build}" in
  build) ;;
  unit)
    # The first load's budget (docs/build.md): 250 KB gzipped, the charts apart.
    node scripts/size.mjs --max 250000
    NO_COLOR=1 npx vitest run
    ;;
  e2e)
    # Each test starts its own shop-local (its own table) on the test emulators.
    # test.sh has built it already, with the whole workspace's features.
    [ -n "${SHOP_LOCAL_BUILT:-}" ] || (cd "$root" && cargo build --quiet -p shop-local)
    rm -rf test-results
    NO_COLOR=1 npx playwright test
    ;;
  *)
    echo "usage: infra/admin.sh [build|unit|e2e]" >&2
    exit 2
    ;;
esac
