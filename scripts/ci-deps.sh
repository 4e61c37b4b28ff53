#!/usr/bin/env bash
# What a bare CI container lacks that the developers' machines have: PostgreSQL's
# server binaries (the one major of docs/decisions.md) and sudo-free apt. Everything
# else `make test` installs itself (scripts/system-deps.sh).
set -euo pipefail
major=15
if [ ! -x "/usr/lib/postgresql/$major/bin/initdb" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "postgresql-$major" >/dev/null
fi
