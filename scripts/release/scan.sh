#!/usr/bin/env bash
# The vulnerability gate: fails when the image has a HIGH or CRITICAL vulnerability
# that has a fix (an unfixed one cannot be acted on by rebuilding; it is reported).
#   scripts/release/scan.sh IMAGE
# Accepted findings, each with a reason and an expiry, go in .trivyignore.yaml.
set -euo pipefail
image=${1:?usage: scan.sh IMAGE}
cd "$(dirname "$0")/../.."
trivy=${TRIVY:-trivy}
ignore=()
[ -f .trivyignore.yaml ] && ignore=(--ignorefile .trivyignore.yaml)
"$trivy" image --quiet --scanners vuln --ignore-unfixed --severity HIGH,CRITICAL \
  --exit-code 1 "${ignore[@]}" "$image"
