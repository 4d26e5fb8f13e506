#!/usr/bin/env bash
# HTTP benchmark (issues #2 and #14): wrk at 16 and 64 connections against
#   ceiling  bench_http_ceiling, a minimal Beast server that verifies the same Slack signature and
#            returns a reply of the same size as checkpointd's help;
#   help     checkpointd answering signed `/checkpoint help` (no storage);
#   request  checkpointd answering distinct signed `/checkpoint request api-production …` commands
#            (the durable mode: each one is a new request, stored before it is answered);
#   with --postgresql, the same durable load on PostgreSQL 15 (a private cluster started by
#   scripts/pg-test-server.sh): request-pg1, one checkpointd; request-pg3, three replicas behind HAProxy.
# Prints req/s, p50, p99, the ratio to the ceiling and to help, the requests stored against those
# answered, checkpointd's RSS, then PASS/FAIL for the targets at 64 connections: help >= 0.70 of the
# ceiling with p99 <= 5 ms; request >= 10,000 req/s or >= 0.40 of help, p99 <= 50 ms, every answered
# request stored; RSS <= 64 MB.
#
# A measurement, not a test: exits 0 whatever the numbers, non-zero only when something broke
# (build, start-up, a wrong answer to the sanity requests, wrk errors or non-2xx responses).
# Loopback only; every wrk run is bounded.
#
# usage: bench/http/run.sh [--build-dir DIR] [--no-build] [--duration SECONDS] [--warmup SECONDS]
#                          [--threads N] [--connections "16 64"] [--wrk-threads N] [--postgresql]
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=""
build=1
duration=10
warmup=3
server_threads=$(nproc)
connections="16 64"
wrk_threads=2
postgresql=0
target_ratio=0.70
target_p99_ms=5

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case $1 in
    --build-dir) build_dir=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --threads) server_threads=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --wrk-threads) wrk_threads=$2; shift 2 ;;
    --postgresql) postgresql=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
for n in "$duration" "$warmup" "$server_threads" "$wrk_threads" $connections; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "run.sh: '$n' is not a whole number" >&2; exit 2; }
done
# Every request carries one timestamp; Slack's replay window is 5 minutes, and the request is
# re-signed before every wrk run, so a single run must stay well inside it.
(( duration + warmup <= 120 )) || { echo "run.sh: keep --duration + --warmup <= 120 s" >&2; exit 2; }

die() { echo "run.sh: $*" >&2; exit 1; }
tools="wrk openssl curl cmake sqlite3"
(( postgresql )) && tools+=" psql haproxy"
for tool in $tools; do
  command -v "$tool" >/dev/null || die "$tool is not installed (bench needs wrk, openssl, curl, cmake, sqlite3)"
done

# ---------------------------------------------------------------- build
if [[ -z $build_dir ]]; then
  build_dir=$repo/build-bench
  if (( build )); then
    echo "== configuring a Release build in $build_dir"
    # GCC 12 at -O3 reports -Wrestrict false positives inside std::string concatenation (GCC
    # PR 105329); keep them warnings in this build only, so they cannot stop a measurement.
    cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCHECKPOINT_BUILD_TESTS=OFF \
      -DCMAKE_CXX_FLAGS=-Wno-error=restrict >/dev/null
  fi
fi
if (( build )); then
  echo "== building checkpointd, bench_http_ceiling and bench_http_requests in $build_dir"
  cmake --build "$build_dir" --target checkpointd bench_http_ceiling bench_http_requests -- -j"$(nproc)" >"$build_dir/bench-build.log" 2>&1 ||
    { tail -n 40 "$build_dir/bench-build.log" >&2; die "build failed (full log: $build_dir/bench-build.log)"; }
fi
checkpointd=$build_dir/bot/checkpointd
ceiling=$build_dir/bench/http/bench_http_ceiling
[[ -x $checkpointd ]] || die "no $checkpointd (build it, or drop --no-build)"
[[ -x $ceiling ]] || die "no $ceiling (build it, or drop --no-build)"
requests=$build_dir/bench/http/bench_http_requests
[[ -x $requests ]] || die "no $requests (build it, or drop --no-build)"
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build_dir/CMakeCache.txt" 2>/dev/null || true)

# ---------------------------------------------------------------- servers
work=$(mktemp -d "${TMPDIR:-/tmp}/checkpoint-bench.XXXXXX")
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  (( postgresql )) && "$repo/scripts/pg-test-server.sh" stop "$work/pg" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

secret=$(openssl rand -hex 32)
export SLACK_SIGNING_SECRET=$secret

if [[ -f $repo/manifests/checkpoint.yaml ]]; then
  manifests=$repo/manifests
else
  manifests=$work/manifests
  mkdir -p "$manifests"
  : >"$manifests/checkpoint.yaml"
fi

# wait_for_port LOG PID NAME: the port from the first "listening on http://HOST:PORT" line.
wait_for_port() {
  local log=$1 pid=$2 name=$3 port i
  for ((i = 0; i < 100; i++)); do
    port=$(sed -n 's#.*listening on http://[^ ]*:\([0-9][0-9]*\).*#\1#p' "$log" | head -n 1)
    if [[ -n $port ]]; then echo "$port"; return 0; fi
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$log" >&2; die "$name exited during start-up"; }
    sleep 0.1
  done
  tail -n 20 "$log" >&2
  die "$name did not report a listening port within 10 s"
}

: >"$work/checkpointd.log"  # exists before the background job opens it, for wait_for_port
: >"$work/ceiling.log"
CHECKPOINT_LISTEN=127.0.0.1:0 CHECKPOINT_DB=$work/checkpoint.db CHECKPOINT_MANIFESTS=$manifests \
  CHECKPOINT_THREADS=$server_threads "$checkpointd" >"$work/checkpointd.log" 2>&1 &
pids+=($!)
cp_pid=$!
cp_port=$(wait_for_port "$work/checkpointd.log" "${pids[-1]}" checkpointd)

# The same slash command Slack sends for `/checkpoint help`, form-encoded.
# Each probe is its own command (its trigger_id differs): both servers refuse a replayed signature.
probe=0
next_probe() {
  probe=$((probe + 1))
  body="token=gIkuvaNzQIHg97ATvDxqgjtO&team_id=T0001&team_domain=example&channel_id=C2147483705&channel_name=ops&user_id=U2147483697&user_name=alice&command=%2Fcheckpoint&text=help&api_app_id=A123456&is_enterprise_install=false&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT0001%2F5678%2FabcdefGHIJKL&trigger_id=13345224609.738474920.probe$probe"
}

sign() { # sign SECRET TIMESTAMP -> hex HMAC-SHA256 of v0:TIMESTAMP:BODY
  printf 'v0:%s:%s' "$2" "$body" | openssl dgst -sha256 -hmac "$1" -r | cut -d' ' -f1
}
# post PORT TIMESTAMP SIGNATURE OUT -> HTTP status; the reply body goes to OUT.
post() {
  curl -sS -o "$4" -w '%{http_code}' --max-time 5 -X POST "http://127.0.0.1:$1/slack/events" \
    -H 'Content-Type: application/x-www-form-urlencoded' \
    -H "X-Slack-Request-Timestamp: $2" -H "X-Slack-Signature: v0=$3" --data-binary "$body"
}

ts=$(date +%s)
next_probe
status=$(post "$cp_port" "$ts" "$(sign "$secret" "$ts")" "$work/reply.json") || die "checkpointd did not answer"
[[ $status == 200 ]] || { cat "$work/reply.json" >&2; die "checkpointd answered $status to a signed /checkpoint help"; }
grep -q '"blocks"' "$work/reply.json" || die "checkpointd's reply to /checkpoint help has no blocks"
reply_bytes=$(wc -c <"$work/reply.json")

"$ceiling" 0 "$work/reply.json" "$server_threads" >"$work/ceiling.log" 2>&1 &
pids+=($!)
ce_pid=$!
ce_port=$(wait_for_port "$work/ceiling.log" "${pids[-1]}" bench_http_ceiling)

# Both answer 200 with the same number of bytes when signed, 401 when forged.
for target in "checkpointd:$cp_port" "ceiling:$ce_port"; do
  name=${target%%:*} port=${target#*:}
  ts=$(date +%s)
  next_probe
  status=$(post "$port" "$ts" "$(sign "$secret" "$ts")" "$work/check.json") || die "$name did not answer"
  [[ $status == 200 ]] || die "$name answered $status to a signed request, expected 200"
  bytes=$(wc -c <"$work/check.json")
  [[ $bytes == "$reply_bytes" ]] || die "$name replied $bytes bytes, checkpointd's help is $reply_bytes"
  status=$(post "$port" "$ts" "$(sign "$secret" "$ts")" "$work/check.json") || die "$name did not answer"
  [[ $status == 401 ]] || die "$name answered $status to a replayed request, expected 401"
  status=$(post "$port" "$ts" "$(sign "not-the-secret" "$ts")" "$work/check.json") || die "$name did not answer"
  [[ $status == 401 ]] || die "$name answered $status to a forged request, expected 401"
done

# ---------------------------------------------------------------- PostgreSQL (--postgresql)
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
declare -A target_port target_pids target_db target_key
target_port[request]=$cp_port target_pids[request]=$cp_pid target_db[request]=$work/checkpoint.db target_key[request]=""
target_port[help]=$cp_port target_pids[help]=$cp_pid
target_port[ceiling]=$ce_port target_pids[ceiling]=$ce_pid
targets="ceiling help request"
if (( postgresql )); then
  pg_port=$(free_port)
  # The work folder is mktemp's (0700): the unprivileged user PostgreSQL runs as must pass through it.
  chmod o+x "$work"
  pg_url=$("$repo/scripts/pg-test-server.sh" start "$work/pg" "$pg_port") || die "cannot start PostgreSQL"
  pg_base=${pg_url%/postgres}
  pg_key=$(openssl rand -hex 32)
  for db in pg1 pg3; do psql "$pg_url" -qc "CREATE DATABASE $db" || die "cannot create the database $db"; done
  : >"$work/pg1.log"
  CHECKPOINT_LISTEN=127.0.0.1:0 CHECKPOINT_DB=$pg_base/pg1 CHECKPOINT_AUDIT_KEY=$pg_key CHECKPOINT_MANIFESTS=$manifests \
    CHECKPOINT_THREADS=$server_threads "$checkpointd" >"$work/pg1.log" 2>&1 &
  pids+=($!)
  target_pids[request-pg1]=$! target_db[request-pg1]=$pg_base/pg1 target_key[request-pg1]=$pg_key
  target_port[request-pg1]=$(wait_for_port "$work/pg1.log" "$!" "checkpointd on PostgreSQL")
  # Three replicas on one database, each on a port of its own, behind HAProxy (round robin, health-checked).
  {
    printf 'global\n  maxconn 4096\n  nbthread 1\ndefaults\n  mode http\n  timeout connect 2s\n'
    printf '  timeout client 60s\n  timeout server 60s\n  option http-keep-alive\n'
    printf 'frontend checkpoint\n  bind 127.0.0.1:%s\n  default_backend replicas\n' "$(free_port | tee "$work/ha.port")"
    printf 'backend replicas\n  balance roundrobin\n  option httpchk GET /readyz\n'
  } >"$work/haproxy.cfg"
  replica_pids=""
  for i in 1 2 3; do
    port=$(free_port)
    : >"$work/pg3-$i.log"
    CHECKPOINT_LISTEN=127.0.0.1:$port CHECKPOINT_REPLICA=replica-$i CHECKPOINT_DB=$pg_base/pg3 \
      CHECKPOINT_AUDIT_KEY=$pg_key CHECKPOINT_MANIFESTS=$manifests CHECKPOINT_THREADS=$server_threads \
      "$checkpointd" >"$work/pg3-$i.log" 2>&1 &
    pids+=($!)
    replica_pids+=" $!"
    wait_for_port "$work/pg3-$i.log" "$!" "replica $i" >/dev/null
    printf '  server replica-%s 127.0.0.1:%s check inter 500\n' "$i" "$port" >>"$work/haproxy.cfg"
  done
  haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
  pids+=($!)
  target_pids[request-pg3]="$replica_pids $!" target_db[request-pg3]=$pg_base/pg3 target_key[request-pg3]=$pg_key
  target_port[request-pg3]=$(cat "$work/ha.port")
  for ((i = 0; i < 100; i++)); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${target_port[request-pg3]}/readyz") == 200 ]] && break
    sleep 0.1
  done
  targets+=" request-pg1 request-pg3"
fi

# ---------------------------------------------------------------- measure
# to_ms VALUE: wrk's 812.00us / 1.23ms / 1.02s / 2.00m in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    else if (u != "ms") { print "?"; exit 1 }
    printf "%.2f", n }'
}

# cpu_ticks PID…: user + system CPU time the processes have used, in clock ticks.
cpu_ticks() { local p t=0; for p in "$@"; do t=$(( t + $(awk '{ print $14 + $15 }' "/proc/$p/stat") )); done; echo "$t"; }
# The PostgreSQL cluster's processes: the postmaster and its children (the backends, the WAL writer, …).
pg_pids() { local m; m=$(head -n 1 "$work/pg/postmaster.pid"); echo "$m $(pgrep -P "$m" | tr '\n' ' ')"; }

# The durable load: distinct signed requests from Sam Support (U01SAM, in the example directory, so
# no Slack look-up; on support, so a day of a customer is granted at once, as api-production was for
# Lee Lin before), enough for the fastest rate seen on 2 cores twice over. A person holds one open
# request per target, so each asks for its own customer: bench-0, bench-1, … are uploaded first
# (PUT /api/v1/resources, with a token made as an admin makes the first one), and every run takes
# numbers after the previous run's.
request_text='request customer:bench-{n} --duration 1d --reason "bench load {n}"'
per_second=20000
# PostgreSQL on these cores takes a few thousand durable requests a second: fewer customers to upload for it.
pg_per_second=8000
# The ceiling answers help at over 60,000 req/s on 2 cores (the first run of this sized it): 150,000 a second
# is 64 bytes of signature each, 96 MB for a 10-second run.
help_per_second=150000
declare -A next_number
# Help requests are numbered apart (their trigger_ids), so the durable runs' customers stay bench-0 … as uploaded.
help_number=0
upload_customers() { # upload_customers COUNT TARGET: customers bench-0 … bench-(COUNT-1), 10,000 per PUT (the most one upload takes) (small, so the upload does not set the peak RSS)
  local token total=$1 name=$2 from status
  local key_env=()
  [[ -n ${target_key[$name]} ]] && key_env=(CHECKPOINT_AUDIT_KEY="${target_key[$name]}")
  token=$(env "${key_env[@]}" CHECKPOINT_DB="${target_db[$name]}" CHECKPOINT_MANIFESTS=$manifests "$checkpointd" \
    --create-token bench --scopes resources:write 2>"$work/token.log") || { cat "$work/token.log" >&2; die "cannot make a token"; }
  for ((from = 0; from < total; from += 10000)); do
    awk -v a="$from" -v b="$(( from + 10000 < total ? from + 10000 : total ))" 'BEGIN {
      printf "{\"resources\":["
      for (i = a; i < b; i++) printf "%s{\"kind\":\"customer\",\"id\":\"bench-%d\",\"displayName\":\"Bench %d\"}", (i > a ? "," : ""), i, i
      printf "]}" }' >"$work/customers.json"
    status=$(curl -sS -o "$work/upload.json" -w '%{http_code}' --max-time 120 -X PUT \
      "http://127.0.0.1:${target_port[$name]}/api/v1/resources" -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' --data-binary "@$work/customers.json") || die "uploading customers failed"
    [[ $status == 200 ]] || { cat "$work/upload.json" >&2; die "uploading customers answered $status"; }
  done
}
write_requests() { # write_requests FILE SECONDS TARGET: a wrk script of distinct requests, signed now, never sent to TARGET before
  if [[ $3 == help || $3 == ceiling ]]; then
    # /checkpoint help from alice (not in the directory: help needs no one), each with its own trigger_id.
    "$requests" "$1" "$help_number" $(( $2 * help_per_second )) U2147483697 help || die "bench_http_requests failed"
    help_number=$(( help_number + $2 * help_per_second ))
  else
    local rate=$per_second n=${next_number[$3]:-0}
    [[ $3 == request-pg* ]] && rate=$pg_per_second
    "$requests" "$1" "$n" $(( $2 * rate )) U01SAM "$request_text" || die "bench_http_requests failed"
    next_number[$3]=$(( n + $2 * rate ))
  fi
}
stored() { # stored TARGET: the petitions in its database
  if [[ $1 == request-pg* ]]; then
    psql -tAq "${target_db[$1]}" -c 'SELECT count(*) FROM petitions'
  else
    sqlite3 "$work/checkpoint.db" 'SELECT count(*) FROM petitions'
  fi
}

declare -A rps p50 p99 cpu dbcpu answered saved
run_wrk() { # run_wrk NAME CONNECTIONS
  local name=$1 conns=$2 out=$work/wrk-$1-$2.txt before after stored_before db_before=0 db_after=0
  local port=${target_port[$1]} pids_of=${target_pids[$1]}
  local url=http://127.0.0.1:$port/slack/events
  if (( warmup > 0 )); then
    write_requests "$work/post.lua" "$warmup" "$name"
    WRK_THREADS=$wrk_threads timeout $((warmup + 30)) wrk -t"$wrk_threads" -c"$conns" -d"${warmup}s" \
      -s "$work/post.lua" "$url" >/dev/null || die "wrk warm-up against $name failed"
  fi
  # The measured run sends requests the warm-up did not (a repeat would be refused as a replay).
  write_requests "$work/post.lua" "$duration" "$name"
  [[ $name == request* ]] && stored_before=$(stored "$name")
  # shellcheck disable=SC2086
  before=$(cpu_ticks $pids_of)
  # shellcheck disable=SC2046
  [[ $name == request-pg* ]] && db_before=$(cpu_ticks $(pg_pids))
  WRK_THREADS=$wrk_threads timeout $((duration + 30)) wrk -t"$wrk_threads" -c"$conns" -d"${duration}s" \
    --timeout 2s --latency -s "$work/post.lua" "$url" >"$out" 2>&1 || { cat "$out" >&2; die "wrk against $name failed"; }
  # shellcheck disable=SC2086
  after=$(cpu_ticks $pids_of)
  # shellcheck disable=SC2046
  [[ $name == request-pg* ]] && db_after=$(cpu_ticks $(pg_pids))
  grep -q 'ran out of distinct requests' "$out" && die "wrk against $name sent more requests than were generated"
  answered[$name,$conns]=$(awk '/requests in/ { print $1 }' "$out")
  saved[$name,$conns]=-
  [[ $name == request* ]] && saved[$name,$conns]=$(( $(stored "$name") - stored_before ))
  if grep -q 'Non-2xx or 3xx responses' "$out" || grep -q 'Socket errors' "$out"; then
    cat "$out" >&2
    die "wrk against $name at $conns connections saw errors or non-2xx responses"
  fi
  rps[$name,$conns]=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
  p50[$name,$conns]=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
  p99[$name,$conns]=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
  # Server CPU per request: robust to other load on the machine, unlike req/s and p99.
  cpu[$name,$conns]=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" \
    -v n="$(awk '/requests in/ { print $1 }' "$out")" 'BEGIN { printf "%.1f", (n > 0 ? t / hz * 1e6 / n : 0) }')
  dbcpu[$name,$conns]=-
  [[ $name == request-pg* ]] && dbcpu[$name,$conns]=$(awk -v t=$((db_after - db_before)) -v hz="$(getconf CLK_TCK)" \
    -v n="${answered[$name,$conns]}" 'BEGIN { printf "%.1f", (n > 0 ? t / hz * 1e6 / n : 0) }')
  [[ -n ${rps[$name,$conns]} && ${p50[$name,$conns]} != "?" && ${p99[$name,$conns]} != "?" ]] ||
    { cat "$out" >&2; die "cannot read wrk's output for $name at $conns connections"; }
}

echo "== $(nproc) cores, $(uname -m); build ${build_type:-?} at $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')$(
  [[ -n $(git -C "$repo" status --porcelain 2>/dev/null) ]] && echo ' (+ uncommitted changes)')"
echo "== servers: $server_threads threads each; wrk: $wrk_threads threads, ${warmup}s warm-up + ${duration}s per run"
echo "== help: POST /slack/events, ${#body}-byte signed form (/checkpoint help); reply: $reply_bytes bytes"
echo "== request: POST /slack/events, distinct signed '/checkpoint ${request_text}' forms, each stored"
# wrk and both servers share this machine's cores; anything else running skews req/s and p99.
load=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
  echo "== WARNING: load average is $load on $(nproc) cores before measuring: other work is running," \
    "so req/s and p99 will be noisy (the ratio and cpu us/req less so)"
fi
runs=$(wc -w <<<"$connections")
echo "== uploading $(( runs * (warmup + duration) * per_second )) customers for the request runs"
upload_customers $(( runs * (warmup + duration) * per_second )) request
if (( postgresql )); then
  echo "== PostgreSQL 15 on loopback ($pg_base): uploading $(( runs * (warmup + duration) * pg_per_second ))" \
    "customers to each of request-pg1 (one checkpointd) and request-pg3 (three replicas behind HAProxy)"
  upload_customers $(( runs * (warmup + duration) * pg_per_second )) request-pg1
  upload_customers $(( runs * (warmup + duration) * pg_per_second )) request-pg3
fi
for c in $connections; do
  for name in $targets; do
    echo "   wrk -c$c against $name ..."
    run_wrk "$name" "$c"
  done
done

# ---------------------------------------------------------------- report
rss_kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$cp_pid/status")
hwm_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$cp_pid/status")
echo
printf '%-12s %6s %10s %9s %9s %9s %8s %9s %9s %11s %9s %9s\n' target conns 'req/s' 'p50 ms' 'p99 ms' '/ceiling' '/help' \
  answered stored 'cpu us/req' 'db us/req' '/request'
printf '%-12s %6s %10s %9s %9s %9s %8s %9s %9s %11s %9s %9s\n' ------------ ------ ---------- --------- --------- --------- \
  -------- --------- --------- ----------- --------- ---------
for c in $connections; do
  for name in $targets; do
    ratio=$(awk -v a="${rps[$name,$c]}" -v b="${rps[ceiling,$c]}" 'BEGIN { printf "%.2f", a / b }')
    to_help=$(awk -v a="${rps[$name,$c]}" -v b="${rps[help,$c]}" 'BEGIN { printf "%.2f", a / b }')
    to_request=-
    [[ $name == request-pg* ]] && to_request=$(awk -v a="${rps[$name,$c]}" -v b="${rps[request,$c]}" 'BEGIN { printf "%.2f", a / b }')
    printf '%-12s %6s %10s %9s %9s %9s %8s %9s %9s %11s %9s %9s\n' "$name" "$c" "${rps[$name,$c]}" "${p50[$name,$c]}" \
      "${p99[$name,$c]}" "$ratio" "$to_help" "${answered[$name,$c]}" "${saved[$name,$c]}" "${cpu[$name,$c]}" \
      "${dbcpu[$name,$c]}" "$to_request"
  done
done
echo "(/ceiling, /help, /request: req/s over that target's req/s at the same connection count (/request: the" \
  "same durable load on SQLite); answered: requests wrk counted as answered in the measured run; stored: requests" \
  "the database gained in it; cpu us/req: the server's user + system CPU time per answered request (request-pg3:" \
  "the three replicas and HAProxy together); db us/req: PostgreSQL's, all its processes)"
if (( postgresql )); then
  for c in $connections; do
    # On these cores the replicas, HAProxy, PostgreSQL and wrk share the CPU; with a core per replica (and one for
    # the database) the replicas' CPU per request bounds what each serves: req/s ≈ 1e6 / (cpu us/req per replica).
    awk -v c="$c" -v cpu="${cpu[request-pg3,$c]}" -v db="${dbcpu[request-pg3,$c]}" 'BEGIN {
      if (cpu > 0) printf "== projection at %s connections: 3 replicas at %.0f us of checkpointd+HAProxy CPU per request serve about %.0f req/s with a core each; PostgreSQL at %.0f us per request needs about %.1f cores for that\n", c, cpu, 3 * 1e6 / cpu, db, 3 * 1e6 / cpu * db / 1e6 }'
  done
fi
echo "== checkpointd memory after the runs: RSS $((rss_kb / 1024)) MB, peak $((hwm_kb / 1024)) MB"
echo "== load average after measuring: $(cut -d' ' -f1-3 /proc/loadavg)"

if [[ " $connections " == *" 64 "* ]]; then
  echo
  verdict() { awk -v x="$1" -v op="$2" -v t="$3" 'BEGIN { ok = (op == ">=") ? x >= t : x <= t; print ok ? "PASS" : "FAIL" }'; }
  ratio=$(awk -v a="${rps[help,64]}" -v b="${rps[ceiling,64]}" 'BEGIN { printf "%.2f", a / b }')
  echo "$(verdict "$ratio" '>=' "$target_ratio")  help/ceiling at 64 connections: $ratio (target >= $target_ratio)"
  echo "$(verdict "${p99[help,64]}" '<=' "$target_p99_ms")  help p99 at 64 connections: ${p99[help,64]} ms (target <= $target_p99_ms ms)"
  to_help=$(awk -v a="${rps[request,64]}" -v b="${rps[help,64]}" 'BEGIN { printf "%.2f", a / b }')
  ok=$(awk -v r="${rps[request,64]}" -v h="$to_help" 'BEGIN { print (r >= 10000 || h >= 0.40) ? "PASS" : "FAIL" }')
  echo "$ok  request at 64 connections: ${rps[request,64]} req/s, $to_help of help (target >= 10000 req/s or >= 0.40 of help)"
  echo "$(verdict "${p99[request,64]}" '<=' 50)  request p99 at 64 connections: ${p99[request,64]} ms (target <= 50 ms)"
  ok=$(awk -v s="${saved[request,64]}" -v a="${answered[request,64]}" 'BEGIN { print (s >= a) ? "PASS" : "FAIL" }')
  echo "$ok  every answered request stored: ${answered[request,64]} answered, ${saved[request,64]} stored"
  echo "$(verdict "$((hwm_kb / 1024))" '<=' 64)  checkpointd peak RSS: $((hwm_kb / 1024)) MB (target <= 64 MB)"
fi
