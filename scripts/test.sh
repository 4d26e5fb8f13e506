#!/usr/bin/env bash
# Installs everything, builds Checkpoint twice (optimised, and with AddressSanitizer + UBSan), and
# runs every test in both builds. Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
# The browser tests' packages (puppeteer-core, axe-core), exactly as package-lock.json pins them. No browser is
# downloaded: they drive Debian's chromium.
npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error

jobs=$(nproc)
# Line tables only (-g1): sanitizer reports and backtraces keep file:line, and the builds take less disk (measured:
# release 1.2 GB instead of 3.8, sanitizer 5.6 GB instead of 6.7; with the fuzz build, about 8 GB in all).
build() { # dir, extra cmake args…
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja -DCHECKPOINT_LINE_TABLES_ONLY=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

echo "== release build"
build build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo
echo "== release tests"
ctest --test-dir build/release --output-on-failure -j "$jobs"

echo "== sanitizer build (ASan + UBSan)"
build build/asan -DCMAKE_BUILD_TYPE=Debug -DCHECKPOINT_SANITIZE=ON -DCHECKPOINT_BUILD_BENCH=OFF
echo "== sanitizer tests"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure -j "$jobs"

# libFuzzer (clang 14, ASan + UBSan): every seed corpus replayed, then 15 s of fuzzing per harness.
echo "== fuzz replay and smoke"
scripts/fuzz.sh --ci
