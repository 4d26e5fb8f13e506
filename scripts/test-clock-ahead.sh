#!/usr/bin/env bash
# Runs the already-built release tests with the wall clock moved ahead (default a year), the servers
# they start included, to show that no test depends on today's date:
#   scripts/test-clock-ahead.sh [+365d] [ctest args…]
# Needs the faketime package (scripts/install-deps.sh installs it) and build/release from scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
shift_by=${1:-+365d}
[ $# -gt 0 ] && shift
lib=$(dpkg -L libfaketime 2>/dev/null | grep -m1 'libfaketimeMT.so.1$')
echo "clock moved ${shift_by}: $(FAKETIME="$shift_by" LD_PRELOAD="$lib" date -u)"
# Only the wall clock moves; timers and timeouts keep real monotonic time.
FAKETIME="$shift_by" DONT_FAKE_MONOTONIC=1 LD_PRELOAD="$lib" \
  ctest --test-dir build/release --output-on-failure -j "$(nproc)" "$@"
