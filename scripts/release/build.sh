#!/usr/bin/env bash
# Builds the shop's image from the Dockerfile, labelled with version, commit and source.
#   scripts/release/build.sh IMAGE [-- EXTRA BUILD ARGS...]
# ENGINE=docker (Buildx; what release.yml uses) or podman (what make test uses); the
# default is whichever is installed, docker first. BUILD_CACHE=REF adds a registry
# layer cache (Buildx only; a mutable repository, the image repository's tags are
# immutable). BASE_IMAGE overrides the Dockerfile's base (the test stand-in).
set -euo pipefail
image=${1:?usage: build.sh IMAGE [-- EXTRA BUILD ARGS...]}
shift
[ "${1:-}" = -- ] && shift
cd "$(dirname "$0")/../.."
engine=${ENGINE:-$(command -v docker >/dev/null 2>&1 && echo docker || echo podman)}
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' pyproject.toml)
args=(--build-arg "VERSION=$version" --build-arg "REVISION=$(git rev-parse HEAD)"
      --build-arg "SOURCE=${SOURCE_URL:-}" --tag "$image")
[ -n "${BASE_IMAGE:-}" ] && args+=(--build-arg "BASE_IMAGE=$BASE_IMAGE")
case "$engine" in
  docker)
    if [ -n "${BUILD_CACHE:-}" ]; then
      args+=(--cache-from "type=registry,ref=$BUILD_CACHE"
             --cache-to "type=registry,ref=$BUILD_CACHE,mode=max,image-manifest=true,oci-mediatypes=true")
    fi
    docker buildx build --load --provenance=false "${args[@]}" "$@" . ;;
  podman)
    podman build --layers --format docker "${args[@]}" "$@" . ;;
  *) echo "ENGINE must be docker or podman, not $engine" >&2; exit 2 ;;
esac
