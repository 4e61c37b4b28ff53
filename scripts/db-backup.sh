#!/usr/bin/env bash
# Logical backups of the shop's PostgreSQL in pg_dump's custom format, for single-machine
# and compose users (clusters on RDS use point-in-time recovery: docs/runbook.md).
#
#   scripts/db-backup.sh backup  [FILE]               -> FILE (default backups/threadline-<UTC time>.dump)
#   scripts/db-backup.sh restore FILE [TARGET_URL]    -> into TARGET_URL (default DATABASE_URL)
#
# DATABASE_URL names the database (the Makefile sets it, like `make run`). A restore target
# that does not exist is created; one that already has tables is refused unless
# RESTORE_REPLACE=yes, which replaces its contents. A restore runs in one transaction:
# a bad or truncated file changes nothing.
# COMPOSE=1 runs pg_dump / pg_restore inside compose's `db` service instead (docs/backups.md).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
action=${1:-}
die() { echo "db-backup: $*" >&2; exit 2; }

bindir=${PG_BINDIR:-}
if [ -z "$bindir" ] && command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/pg_dump" ]; then
  bindir=$(pg_config --bindir)
fi
if [ -z "$bindir" ]; then
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
fi

compose() { docker compose -f "$here/compose.yml" "$@"; }

# psql/pg_dump take a libpq URL; postgres:// and postgresql:// are both fine.
url_db() { local u=${1%%\?*}; echo "${u##*/}"; }
url_with_db() { local u=$1 q=""; [[ $u == *\?* ]] && q="?${u#*\?}"; u=${u%%\?*}; echo "${u%/*}/$2$q"; }

case "$action" in
  backup)
    file=${2:-"$here/backups/threadline-$(date -u +%Y%m%dT%H%M%SZ).dump"}
    mkdir -p "$(dirname "$file")"
    partial="$file.partial"
    if [ "${COMPOSE:-}" = 1 ]; then
      compose exec -T db sh -c 'pg_dump --format=custom --no-owner --no-privileges -U "$POSTGRES_USER" "$POSTGRES_DB"' >"$partial"
    else
      [ -n "${DATABASE_URL:-}" ] || die "DATABASE_URL is not set (make backup sets it)"
      [ -x "$bindir/pg_dump" ] || die "pg_dump not found: apt-get install postgresql-client"
      "$bindir/pg_dump" --format=custom --no-owner --no-privileges --file="$partial" "$DATABASE_URL"
    fi
    # A dump that pg_restore cannot list is no backup: check before calling it one.
    if [ "${COMPOSE:-}" = 1 ]; then
      compose exec -T db pg_restore --list >/dev/null <"$partial" || die "the dump in $partial is unreadable"
    else
      "$bindir/pg_restore" --list "$partial" >/dev/null || die "the dump in $partial is unreadable"
    fi
    mv "$partial" "$file"
    echo "$file"
    ;;
  restore)
    file=${2:-}
    [ -n "$file" ] || die "usage: $0 restore FILE [TARGET_URL]"
    [ -f "$file" ] || die "no such backup file: $file"
    if [ "${COMPOSE:-}" = 1 ]; then
      # The web and migrate services must be stopped: docs/backups.md.
      compose exec -T db sh -c 'pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error -U "$POSTGRES_USER" -d "$POSTGRES_DB"' <"$file"
      echo "restored $file into compose's db"
      exit 0
    fi
    [ -x "$bindir/pg_restore" ] || die "pg_restore not found: apt-get install postgresql-client"
    "$bindir/pg_restore" --list "$file" >/dev/null 2>&1 || die "$file is not a pg_dump custom-format archive (or it is truncated)"
    target=${3:-${DATABASE_URL:-}}
    [ -n "$target" ] || die "no target: give TARGET_URL or set DATABASE_URL"
    name=$(url_db "$target")
    [[ $name =~ ^[A-Za-z0-9_-]+$ ]] || die "unexpected database name in the target URL: $name"
    admin=$(url_with_db "$target" postgres)
    exists=$("$bindir/psql" "$admin" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'")
    clean=()
    if [ "$exists" != 1 ]; then
      "$bindir/psql" "$admin" -qc "CREATE DATABASE \"$name\"" >/dev/null
    else
      tables=$("$bindir/psql" "$target" -tAc "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
      if [ "$tables" != 0 ]; then
        [ "${RESTORE_REPLACE:-}" = yes ] || die "database $name already has $tables tables; stop the shop and run again with RESTORE_REPLACE=yes to replace them"
        clean=(--clean --if-exists)
      fi
    fi
    "$bindir/pg_restore" "${clean[@]}" --no-owner --no-privileges --single-transaction --exit-on-error \
      --dbname="$target" "$file"
    echo "restored $file into $name"
    ;;
  *)
    die "usage: $0 backup [FILE] | restore FILE [TARGET_URL]"
    ;;
esac
