#!/usr/bin/env bash
# Scans the chart as deployed (rendered with values-staging.yaml and values-production.yaml)
# with checkov; the checks skipped on purpose are listed, with reasons, in deploy/checkov.yaml.
# checkov pins packaging<24, which pytest 9 cannot share, so it lives in its own
# virtualenv (CHECKOV_VENV, default .data/tools/checkov), installed from deploy/checkov.lock
# with --require-hashes and re-installed when the lock changes.
#   deploy/checkov.sh                   the rendered chart, both environments
#   deploy/checkov.sh github_actions    the workflows in .github/workflows
#   deploy/checkov.sh terraform [ARGS]  deploy/terraform (skips: deploy/terraform/.checkov.yaml)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${CHECKOV_VENV:-.data/tools/checkov}
stamp="$venv/.installed-$(cksum < deploy/checkov.lock | cut -d' ' -f1)"
if [ ! -e "$stamp" ]; then
  rm -rf "$venv"
  "$(scripts/find-python.sh)" -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check --require-hashes --no-deps -r deploy/checkov.lock
  touch "$stamp"
fi
if [ "${1:-kubernetes}" = github_actions ]; then
  echo "== checkov: .github/workflows"
  exec "$venv/bin/checkov" --config-file deploy/checkov.yaml --framework github_actions -d .github/workflows
fi
if [ "${1:-}" = terraform ]; then
  shift
  exec "$venv/bin/checkov" --config-file deploy/terraform/.checkov.yaml -d deploy/terraform "$@"
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
for env in staging production; do
  .venv/bin/python deploy/render.py "deploy/helm/shop/values-$env.yaml" --out "$out/$env"
  echo "== checkov: $env"
  "$venv/bin/checkov" --config-file deploy/checkov.yaml -d "$out/$env" || status=1
done
exit $status
