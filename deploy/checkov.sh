#!/usr/bin/env bash
# Scans the chart as deployed (rendered with values-staging.yaml and values-production.yaml)
# with checkov; the checks skipped on purpose are listed, with reasons, in deploy/checkov.yaml.
# checkov pins packaging<24, which pytest 9 cannot share, so it lives in its own
# virtualenv (CHECKOV_VENV, created on first use) instead of requirements-dev.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${CHECKOV_VENV:-${TMPDIR:-/tmp}/threadline-checkov}
if [ ! -x "$venv/bin/checkov" ]; then
  "$(scripts/find-python.sh)" -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check checkov==3.3.30
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
