#!/usr/bin/env bash
# Installs everything, builds checkpointd and starts it on its embedded default: a SQLite file
# (./checkpoint.db) and the example manifests in ./manifests. Without SLACK_SIGNING_SECRET in the
# environment it runs with --dev, which generates a secret and prints it.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
# Its own build: no tests, no benchmarks, and none of the test-only flags.
cmake -S . -B build/service -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHECKPOINT_BUILD_TESTS=OFF \
  -DCHECKPOINT_BUILD_BENCH=OFF -DCHECKPOINT_TEST_HOOKS=OFF >/dev/null
cmake --build build/service -j "$(nproc)" --target checkpointd checkpoint

args=("$@")
if [[ -z "${SLACK_SIGNING_SECRET:-}" ]]; then
  echo "run: SLACK_SIGNING_SECRET is not set; starting with --dev (a generated secret, for local trials)"
  args+=(--dev)
fi
exec build/service/bot/checkpointd "${args[@]}"
