#!/usr/bin/env bash
# Makes sure a PostgreSQL is there and prints its DATABASE_URL.
#   DATABASE_URL set   -> printed as it is (nothing started).
#   otherwise          -> a local cluster from this machine's PostgreSQL binaries,
#                         kept between runs under .data/pg (or under /tmp when the
#                         postgres user cannot reach the checkout), started if stopped.
# Usage: scripts/devdb.sh [url|stop|status]
# PG_BINDIR names the server binaries' folder when they are somewhere unusual.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
action=${1:-url}
dbname=${DEVDB_NAME:-threadline}

if [ -n "${DATABASE_URL:-}" ] && [ "$action" = url ]; then
  echo "$DATABASE_URL"
  exit 0
fi

bindir=${PG_BINDIR:-}
if [ -z "$bindir" ] && command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
  bindir=$(pg_config --bindir)
fi
if [ -z "$bindir" ]; then
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  cat >&2 <<'MSG'
No PostgreSQL server binaries found (initdb, pg_ctl).
Either install them:   apt-get install postgresql      (Debian/Ubuntu)
                       brew install postgresql@16     (macOS)
or run a server in a container and point DATABASE_URL at it:
  docker compose up -d db
  export DATABASE_URL=postgres://threadline:threadline@127.0.0.1:5432/threadline
MSG
  exit 1
fi

as_pg=()
owner=$(id -un)
if [ "$(id -u)" = 0 ]; then
  # initdb and pg_ctl refuse to run as root.
  as_pg=(runuser -u postgres --)
  owner=postgres
fi

state="$here/.data/pg"
mkdir -p "$here/.data"
if [ "$owner" = postgres ] && ! runuser -u postgres -- test -x "$here/.data" 2>/dev/null; then
  key=$(printf '%s' "$here" | cksum | cut -d' ' -f1)
  state="/tmp/threadline-pg-$key"
  ln -sfn "$state" "$here/.data/pg-location"
fi
mkdir -p "$state"
[ "$owner" = postgres ] && chown postgres "$state" && chmod 700 "$state"

portfile="$state/port"
if [ ! -s "$portfile" ]; then
  key=$(printf '%s' "$here" | cksum | cut -d' ' -f1)
  port=$((20000 + key % 20000))
  while (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null; do port=$((port + 1)); done
  echo "$port" > "$portfile"
fi
port=$(cat "$portfile")
data="$state/data"

case "$action" in
  stop)
    [ -f "$data/postmaster.pid" ] && "${as_pg[@]}" "$bindir/pg_ctl" -D "$data" -m fast stop >/dev/null
    exit 0 ;;
  status)
    "${as_pg[@]}" "$bindir/pg_ctl" -D "$data" status
    exit $? ;;
esac

if [ ! -f "$data/PG_VERSION" ]; then
  "${as_pg[@]}" "$bindir/initdb" -D "$data" -E UTF8 --locale=C.UTF-8 -U postgres --auth=trust >"$state/initdb.log" 2>&1 \
    || { cat "$state/initdb.log" >&2; exit 1; }
fi
if ! "${as_pg[@]}" "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$data" -l "$state/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $state -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { tail -20 "$state/server.log" >&2; exit 1; }
fi
if ! "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$dbname'" | grep -q 1; then
  "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE \"$dbname\"" >/dev/null
fi
echo "postgres://postgres@127.0.0.1:$port/$dbname"
