#!/usr/bin/env bash
# Installs the Debian packages that the tests (or the benchmark) need, when missing.
# Non-interactive; runs `apt-get update` only when a package must be installed and the
# package lists are absent or older than a day. Usage: scripts/ensure-deps.sh [package ...]
# (default: the test dependencies). Needs root (or sudo) only when something is missing.
set -euo pipefail

# package -> a command it provides (how we tell whether it is installed)
declare -A provides=(
  [bind9-dnsutils]=dig
  [chromium]=chromium
  [chromium-driver]=chromedriver
  [dnsperf]=dnsperf
  [nsd]=nsd
)
pkgs=("$@")
[ ${#pkgs[@]} -gt 0 ] || pkgs=(bind9-dnsutils chromium chromium-driver)

missing=()
for p in "${pkgs[@]}"; do
  cmd=${provides[$p]:-}
  if [ -n "$cmd" ]; then
    command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing+=("$p")
  else
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "ensure-deps: missing ${missing[*]}; run as root or install them" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
lists=/var/lib/apt/lists
if [ -z "$(find "$lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -n1)" ]; then
  echo "ensure-deps: apt-get update" >&2
  $sudo apt-get update -qq
fi
echo "ensure-deps: installing ${missing[*]}" >&2
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
