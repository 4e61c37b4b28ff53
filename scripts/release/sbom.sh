#!/usr/bin/env bash
# The image's software bill of materials (SPDX JSON), from the image itself with syft:
# the Debian packages of the base and every Python package in /opt/venv.
#   scripts/release/sbom.sh IMAGE OUT.spdx.json
set -euo pipefail
image=${1:?usage: sbom.sh IMAGE OUT.spdx.json}
out=${2:?usage: sbom.sh IMAGE OUT.spdx.json}
syft=${SYFT:-syft}
"$syft" scan --quiet "$image" --output "spdx-json=$out"
echo "$out"
