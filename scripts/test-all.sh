#!/usr/bin/env bash
# `make test`'s pytest run in two halves at once. The container and delivery tests (tests/deploy)
# mostly wait (podman builds and pulls, compose health checks, the scheduler's minute tick), while
# the rest keeps one core busy; side by side the suite fits its 20-minute budget on 2 cores.
# Each half has its own test database; the deploy half's output is printed whole after the rest.
# Arguments go to both halves. `beside`: what runs in the deploy half; the page cache's query
# counts at two catalog sizes (seeding 5,000 products, about 2.5 minutes) go there too, which
# evens the halves out.
set -uo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?DATABASE_URL must be set (make test sets it)}"
py=.venv/bin/python
log=$(mktemp)
trap 'rm -f "$log"; kill "$deploy" 2>/dev/null' EXIT
# pytest-django's documented suffix for parallel runs: the deploy half's test database is
# test_<name>_deploy, so the halves never share one.
beside=(tests/deploy tests/home/page_cache/test_queries.py)
TOX_PARALLEL_ENV=deploy "$py" -m pytest "${beside[@]}" -p no:cacheprovider "$@" >"$log" 2>&1 &
deploy=$!
"$py" -m pytest "${beside[@]/#/--ignore=}" "$@"
rest=$?
wait "$deploy"
deployed=$?
echo
echo "=================== ${beside[*]} (run beside the rest) ==================="
cat "$log"
echo "pytest exit codes: rest $rest, beside $deployed"
[ "$rest" -eq 0 ] && [ "$deployed" -eq 0 ]
