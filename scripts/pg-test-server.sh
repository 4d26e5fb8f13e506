#!/usr/bin/env bash
# Runs a private PostgreSQL 15 for the test suite, on loopback only, in a data directory of its own (the test
# suite's is under /tmp). The cluster trusts every local connection: it is for tests, never for data that matters.
#
#   scripts/pg-test-server.sh start DIR PORT   a fresh cluster in DIR (an earlier one there is stopped and removed);
#                                              prints only its URL, postgresql://postgres@127.0.0.1:PORT/postgres
#   scripts/pg-test-server.sh stop DIR         stops the cluster in DIR, if one runs, and removes its files (about
#                                              half a gigabyte after a test run) but for server.log
#
# PostgreSQL will not run as root: run as root, the script runs it as the system user checkpoint-test (created if
# missing), which owns DIR and must be able to traverse DIR's parents.
set -euo pipefail

test_user=checkpoint-test

die() {
  echo "pg-test-server: $*" >&2
  exit 1
}

usage() {
  echo "usage: $0 start DIR PORT | stop DIR" >&2
  exit 2
}

bindir() {
  local dir
  if command -v pg_config >/dev/null 2>&1 && dir=$(pg_config --bindir 2>/dev/null) && [[ -x $dir/initdb ]]; then
    echo "$dir"
  elif [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
    echo /usr/lib/postgresql/15/bin
  else
    die "PostgreSQL server binaries (initdb, pg_ctl) not found: install postgresql-15 (scripts/install-deps.sh)"
  fi
}

# Runs a command as the user that owns (or is to own) the cluster: root runs it as $test_user, anyone else as
# themselves. $1 is that user (empty when not root).
as_owner() {
  local user=$1
  shift
  if [[ -n $user ]]; then
    runuser -u "$user" -- "$@"
  else
    "$@"
  fi
}

# The user to run the cluster in DIR as: empty when not root; else the owner of DIR if it exists (the user that
# started a server still running there), or $test_user.
owner_of() {
  local dir=$1 user
  ((EUID == 0)) || return 0
  if [[ -e $dir ]]; then
    user=$(stat -c %U "$dir")
    if [[ $user != root && $user != UNKNOWN ]]; then
      echo "$user"
      return
    fi
  fi
  echo "$test_user"
}

ensure_test_user() {
  id -u "$test_user" >/dev/null 2>&1 && return
  command -v useradd >/dev/null 2>&1 || die "cannot create the user $test_user: useradd not found"
  # Another test starting at the same moment may create it first.
  useradd --system --no-create-home --shell /usr/sbin/nologin "$test_user" 2>/dev/null ||
    id -u "$test_user" >/dev/null 2>&1 || die "could not create the system user $test_user (useradd failed)"
}

# Whether a server runs on the data directory (pg_ctl status: 0 running, 3 not running, 4 no data directory).
running() {
  local dir=$1 user=$2
  [[ -f $dir/postmaster.pid ]] || return 1
  as_owner "$user" "$pg_bin/pg_ctl" status -D "$dir" >/dev/null 2>&1
}

stop_server() {
  local dir=$1 user
  user=$(owner_of "$dir")
  [[ -n $user ]] && ! id -u "$user" >/dev/null 2>&1 && return 0 # no such user: nothing of ours runs there
  running "$dir" "$user" || return 0
  # Immediate: the cluster is thrown away at the next start, so the shutdown checkpoint (an fsync of every file of
  # every test's schema, 70 s for 32,000 files seen here) is skipped. Commits were fsynced to the WAL as usual.
  as_owner "$user" "$pg_bin/pg_ctl" stop -D "$dir" -m immediate -s -w ||
    die "could not stop the server in $dir (see $dir/server.log)"
}

# When DIR is not reachable by the unprivileged user, says which parent is in the way.
check_reachable() {
  local dir=$1 user=$2 path=""
  as_owner "$user" test -r "$dir" -a -w "$dir" -a -x "$dir" && return 0
  local part
  IFS=/ read -ra parts <<<"${dir#/}"
  for part in "${parts[@]}"; do
    path+=/$part
    if ! as_owner "$user" test -x "$path"; then
      die "$path ($(stat -c '%A %U' "$path")) cannot be traversed by the user $user that runs PostgreSQL;" \
        "put DIR under a directory it can reach (a build tree outside /root, or /tmp), or chmod o+x $path"
    fi
  done
  die "$dir is not readable and writable by the user $user that runs PostgreSQL"
}

start() {
  local dir=$1 port=$2 user out
  if [[ ! $port =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
    die "not a port: $port"
  fi
  # A Unix-domain socket path is at most 107 bytes; PostgreSQL will not start without its socket.
  ((${#dir} + ${#port} + 10 <= 107)) ||
    die "$dir is too long a path for the server's Unix-domain socket ($dir/.s.PGSQL.$port): use a shorter DIR"

  stop_server "$dir"
  if [[ -e $dir ]]; then
    [[ -d $dir ]] || die "$dir exists and is not a directory"
    # Never remove a directory that is not a cluster from an earlier run.
    if [[ ! -f $dir/PG_VERSION && -n $(find "$dir" -mindepth 1 -maxdepth 1 ! -name server.log -print -quit) ]]; then
      die "$dir exists and is not a PostgreSQL data directory: refusing to remove it"
    fi
    rm -rf -- "$dir"
  fi

  if ((EUID == 0)); then
    ensure_test_user
    user=$test_user
  else
    user=""
  fi
  (umask 022 && mkdir -p -- "$dir") || die "could not create $dir"
  [[ -n $user ]] && chown "$user:" "$dir"
  chmod 700 "$dir"
  (check_reachable "$dir" "$user") || {
    rm -rf -- "$dir"
    exit 1
  }

  out=$(as_owner "$user" "$pg_bin/initdb" -D "$dir" --auth=trust --username=postgres --encoding=UTF8 \
    --locale=C 2>&1) || die "initdb failed in $dir:"$'\n'"$out"
  if ! as_owner "$user" "$pg_bin/pg_ctl" start -D "$dir" -w -s -l "$dir/server.log" \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=on -c max_connections=200 -c shared_buffers=32MB -c checkpoint_timeout=1d -c max_wal_size=4GB" \
    >/dev/null; then
    tail -n 20 "$dir/server.log" >&2 2>/dev/null || true
    die "the server in $dir did not start (port $port in use?); its log: $dir/server.log"
  fi
  echo "postgresql://postgres@127.0.0.1:$port/postgres"
}

[[ $# -ge 2 ]] || usage
command=$1
[[ -n $2 ]] || usage
dir=$(realpath -m -- "$2")
[[ $dir != / ]] || die "DIR cannot be /"
# The unprivileged user may not be able to enter the current directory (root's home, say).
cd /

case $command in
  start)
    [[ $# -eq 3 ]] || usage
    pg_bin=$(bindir)
    start "$dir" "$3"
    ;;
  stop)
    [[ $# -eq 2 ]] || usage
    if [[ -f $dir/postmaster.pid ]]; then # else nothing runs there (nor needs the binaries to tell)
      pg_bin=$(bindir)
      stop_server "$dir"
    fi
    # The cluster is thrown away at the next start anyway: its files go now, so no test run leaves its data behind.
    # Its log stays for whoever looks into a failure. Only a cluster's directory is emptied.
    if [[ -f $dir/PG_VERSION ]]; then
      find "$dir" -mindepth 1 -maxdepth 1 ! -name server.log -exec rm -rf -- {} + ||
        die "could not remove the cluster's files in $dir"
    fi
    ;;
  *) usage ;;
esac
