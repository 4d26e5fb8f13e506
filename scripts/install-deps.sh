#!/usr/bin/env bash
# Installs every Debian 12 package Checkpoint needs to build, test and run. Safe to re-run:
# apt-get update runs only when something is missing, and only once.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates curl
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev zlib1g-dev libsqlite3-dev libsqlitecpp-dev sqlite3
  libpq-dev postgresql-15 haproxy
  libspdlog-dev libfmt-dev libyaml-cpp-dev libcli11-dev
  prometheus-cpp-dev catch2 libbenchmark-dev
  wrk python3 python3-jsonschema python3-yaml faketime
  clang-14 libclang-rt-14-dev
  chromium
)
# Node.js and npm run the browser tests (tests/browser/); a machine that has them already (from NodeSource, say)
# keeps its own, since Debian's npm package would conflict with it.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "install-deps: all ${#packages[@]} packages present"
