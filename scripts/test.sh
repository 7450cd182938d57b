#!/usr/bin/env bash
# The one command that runs every test of arcemu on a fresh machine of this project's kind.
# It installs what it needs by itself: the Debian packages of the real DNS clients (dig and
# nslookup) and of the browser the web view is tested in (chromium, chromedriver), via
# scripts/ensure-deps.sh, a Python virtual environment (.venv) from the
# pinned tests/python/requirements.txt, and the Azure CLI in its own (.venv-az) from the pinned
# tests/az/requirements.txt (each made once and kept until its requirements change).
# Usage: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s ==\n' "$*"; }

step "system packages (dig, nslookup, chromium, chromedriver)"
scripts/ensure-deps.sh

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

step "container image (for the testcontainers tests; they fail rather than skip where Docker runs)"
if timeout 30 docker info >/dev/null 2>&1; then
  scripts/build-image.sh
  export ARCEMU_REQUIRE_DOCKER=1
else
  echo "no Docker engine answers: the container tests will print SKIPPED"
fi

step "Rust tests (unit; end-to-end over HTTP and DNS with dig/nslookup; data plane; demo transcripts; state machine; fuzz targets)"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast
else
  cargo test --workspace --locked --no-fail-fast
fi
cargo test --workspace --locked --doc

step "Python virtual environment (pinned)"
# ensure_venv DIR REQUIREMENTS: DIR is a virtual environment with exactly those pins, made
# again only when the requirements file changed (its hash is kept beside it).
ensure_venv() {
  local dir=$1 req=$2 want
  want=$(sha256sum "$req" | cut -d' ' -f1)
  if [ ! -x "$dir/bin/python" ] || [ "$(cat "$dir/.requirements.sha256" 2>/dev/null)" != "$want" ]; then
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$req"
    echo "$want" > "$dir/.requirements.sha256"
  fi
}
venv=.venv
ensure_venv "$venv" tests/python/requirements.txt
# Jenkins' JUnit schema (junit-10.xsd), from the pytest sdist on PyPI, pinned by hash: the
# `arcemu verify --junit` reports are validated against it.
"$venv/bin/python" scripts/fetch-junit-xsd.py "$venv/share/junit-10.xsd"

step "Azure CLI virtual environment (pinned; about a minute and a half the first time)"
az_venv=.venv-az
ensure_venv "$az_venv" tests/az/requirements.txt

step "Azure SDK for Python against the emulator (over HTTPS); the web view in headless Chromium"
cargo build --locked --bin arcemu
ARCEMU_BIN="$PWD/target/debug/arcemu" ARCEMU_JUNIT10_XSD="$PWD/$venv/share/junit-10.xsd" \
  "$venv/bin/python" -m pytest -q tests/python

step "Azure CLI against the emulator (over HTTPS: the seed's setup and its refusals)"
ARCEMU_BIN="$PWD/target/debug/arcemu" ARCEMU_AZ="$PWD/$az_venv/bin/az" "$venv/bin/python" -m pytest -q tests/az
