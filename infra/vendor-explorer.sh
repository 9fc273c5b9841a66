#!/usr/bin/env bash
# Vendors the API explorer's assets (GET /api/v1/docs) from the npm registry: swagger-ui-dist at
# the version pinned in infra/versions.env, into shared/assets/explorer/ (committed, so a build
# needs no network). Run it after changing the version; nothing else runs it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source infra/versions.env
out="shared/assets/explorer"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "swagger-ui-dist@$SWAGGER_UI_DIST_VERSION" >/dev/null)
tar -xzf "$tmp"/swagger-ui-dist-*.tgz -C "$tmp"
mkdir -p "$out"
for f in swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE; do
  cp "$tmp/package/$f" "$out/$f"
done
# The bundle names its source map, which is not shipped: drop the reference.
sed -i '/^\/\/# sourceMappingURL=/d' "$out/swagger-ui-bundle.js"
sed -i 's#^/\*\# sourceMappingURL=.*\*/$##' "$out/swagger-ui.css"
echo "$SWAGGER_UI_DIST_VERSION" > "$out/VERSION"
echo "[vendor] swagger-ui-dist $SWAGGER_UI_DIST_VERSION into $out"
