#!/usr/bin/env bash
# Prints the path of a Python matching .python-version (3.12), or explains how to get one.
set -euo pipefail
cd "$(dirname "$0")/.."
want=$(cut -d. -f1,2 .python-version)
full=$(cat .python-version)
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  candidates+=("$root/versions/$full/bin/python$want")
  for d in "$root"/versions/"$want".*; do [ -x "$d/bin/python$want" ] && candidates+=("$d/bin/python$want"); done
fi
for d in "$HOME"/.pyenv/versions/"$want".*; do [ -x "$d/bin/python$want" ] && candidates+=("$d/bin/python$want"); done
candidates+=("python$want" "/usr/local/bin/python$want" "/usr/bin/python$want" python3)
for c in "${candidates[@]}"; do
  if path=$(command -v "$c" 2>/dev/null) && "$path" -c "import sys; assert sys.version_info[:2] == tuple(map(int, '$want'.split('.')))" >/dev/null 2>&1; then
    echo "$path"
    exit 0
  fi
done
cat >&2 <<MSG
Python $want is required (see .python-version) and was not found.
Install it with one of:
  pyenv install $full            (then run make again)
  apt-get install python$want python$want-venv   (Debian 13 / Ubuntu 24.04)
or point PYTHON at an interpreter: make PYTHON=/path/to/python$want run
MSG
exit 1
