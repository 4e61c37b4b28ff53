#!/usr/bin/env bash
# The immutable tag of a build of this commit: <version from pyproject.toml>-<12 hex of
# the commit>, e.g. 0.1.0-3f2a1b4c5d6e. One commit, one tag; never reused.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' pyproject.toml)
echo "$version-$(git rev-parse --short=12 HEAD)"
