#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/) with clang-14, ASan and UBSan in build/fuzz, and runs them.
#
#   scripts/fuzz.sh [seconds]          every harness for `seconds` (default 600) on its corpus, two at a time
#   scripts/fuzz.sh --ci               replay every seed corpus once, then a short smoke run per harness
#   scripts/fuzz.sh --merge [seconds]  as the first, then minimise what was found into fuzz/corpus/<name>/
#   --only form,csv_upload             just these harnesses;  --jobs N  harnesses at once (default 2)
#
# New inputs go to build/fuzz/corpus/<name>/ (kept between runs), never into the repository without
# --merge. Prints a table (harness, seconds, executions, corpus, result) and exits non-zero on any
# crash, naming the file that reproduces it: build/fuzz/fuzz/<name>_fuzzer <file>.
set -euo pipefail
cd "$(dirname "$0")/.."

all=(form interaction command duration manifest api_body webhook_reply csv_upload http_request scim)
# The longest input worth trying per harness: a little over what the server or the CLI accepts in one
# piece where that is small (a line of HTTP, commands), and enough for a realistic document elsewhere.
declare -A max_len=(
  [form]=8192 [interaction]=16384 [command]=4096 [duration]=64 [manifest]=8192
  [api_body]=16384 [webhook_reply]=8192 [csv_upload]=16384 [http_request]=90000 [scim]=16384
)

seconds=600
mode=run
jobs=2
smoke_seconds=15
only=""
while (($#)); do
  case $1 in
    --ci) mode=ci ;;
    --merge) mode=merge ;;
    --only) only=$2; shift ;;
    --jobs) jobs=$2; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    [0-9]*) seconds=$1 ;;
    *) echo "fuzz.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
harnesses=("${all[@]}")
if [[ -n $only ]]; then IFS=, read -r -a harnesses <<<"$only"; fi
for h in "${harnesses[@]}"; do
  [[ -n ${max_len[$h]:-} ]] || { echo "fuzz.sh: no harness named $h (${all[*]})" >&2; exit 2; }
done

build=build/fuzz
echo "fuzz: building ${#harnesses[@]} harnesses in $build (clang-14, ASan + UBSan)"
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCHECKPOINT_FUZZ=ON -DCHECKPOINT_BUILD_TESTS=OFF -DCHECKPOINT_BUILD_BENCH=OFF >/dev/null
nice -n 10 cmake --build "$build" --target fuzzers -j "$(nproc)"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
logs=$build/logs
crashes=$build/crashes
mkdir -p "$logs"
failed=0

# Replays every seed once: a seed that crashes is a regression of a bug fixed before.
if [[ $mode == ci ]]; then
  echo "== fuzz: replaying the seed corpora"
  for h in "${harnesses[@]}"; do
    if ! nice -n 10 "$build/fuzz/${h}_fuzzer" -runs=0 "fuzz/corpus/$h" >"$logs/$h.replay.log" 2>&1; then
      echo "fuzz: $h crashes on a seed; see $logs/$h.replay.log"
      failed=1
    else
      echo "fuzz: $h replayed $(find "fuzz/corpus/$h" -type f | wc -l) seeds"
    fi
  done
  ((failed == 0)) || exit 1
  seconds=$smoke_seconds
fi

# One harness for `seconds`; its outcome goes in $logs/<name>.result as "executions corpus result".
run_one() {
  local h=$1 out=$build/corpus/$h art=$crashes/$h/ log=$logs/$h.log
  [[ $mode == ci ]] && out=$build/corpus-ci/$h && rm -rf "$out"
  mkdir -p "$out" "$art"
  local dict=()
  [[ -f fuzz/dict/$h.dict ]] && dict=(-dict="fuzz/dict/$h.dict")
  local rc=0
  nice -n 10 "$build/fuzz/${h}_fuzzer" -max_total_time="$seconds" -max_len="${max_len[$h]}" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art" "${dict[@]}" "$out" "fuzz/corpus/$h" \
    >"$log" 2>&1 || rc=$?
  local execs corpus result
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  [[ -n $execs ]] || execs=$(grep -o '^#[0-9]*' "$log" | tr -d '#' | sort -n | tail -1)
  corpus=$(find "$out" "fuzz/corpus/$h" -type f | wc -l)
  if ((rc == 0)); then
    result=ok
  else
    result="CRASH $(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)"
    [[ $result != "CRASH " ]] || result="CRASH (exit $rc; see $log)"
  fi
  echo "${execs:-0} $corpus $result" >"$logs/$h.result"
}

echo "== fuzz: ${seconds} s per harness, $jobs at once"
running=0
for h in "${harnesses[@]}"; do
  if ((running >= jobs)); then
    wait -n || true
    running=$((running - 1))
  fi
  rm -f "$logs/$h.result"
  run_one "$h" &
  running=$((running + 1))
done
wait

printf '%-14s %8s %12s %8s  %s\n' harness seconds executions corpus result | tee "$logs/table.txt"
for h in "${harnesses[@]}"; do
  read -r execs corpus result <"$logs/$h.result" || { execs=0; corpus=0; result="no result"; }
  [[ $result == ok ]] || failed=1
  printf '%-14s %8s %12s %8s  %s\n' "$h" "$seconds" "$execs" "$corpus" "$result" | tee -a "$logs/table.txt"
done

if [[ $mode == merge ]]; then
  echo "== fuzz: merging new coverage into fuzz/corpus/"
  for h in "${harnesses[@]}"; do
    nice -n 10 "$build/fuzz/${h}_fuzzer" -merge=1 -max_len="${max_len[$h]}" "fuzz/corpus/$h" "$build/corpus/$h" \
      >"$logs/$h.merge.log" 2>&1
    echo "fuzz: $h corpus now $(find "fuzz/corpus/$h" -type f | wc -l) files"
  done
fi
exit "$failed"
