#!/usr/bin/env bash
# Pushes a built image as REPOSITORY:TAG and prints the manifest digest the registry
# stores (sha256:...), which the values file then pins.
#   scripts/release/push.sh LOCAL_IMAGE REPOSITORY TAG
# ENGINE as in build.sh. INSECURE_REGISTRY=1 talks plain HTTP (a registry on 127.0.0.1).
set -euo pipefail
local_image=${1:?usage: push.sh LOCAL_IMAGE REPOSITORY TAG}
repository=${2:?usage: push.sh LOCAL_IMAGE REPOSITORY TAG}
tag=${3:?usage: push.sh LOCAL_IMAGE REPOSITORY TAG}
engine=${ENGINE:-$(command -v docker >/dev/null 2>&1 && echo docker || echo podman)}
target="$repository:$tag"
case "$engine" in
  podman)
    tls=()
    [ "${INSECURE_REGISTRY:-}" = 1 ] && tls=(--tls-verify=false)
    digestfile=$(mktemp)
    trap 'rm -f "$digestfile"' EXIT
    podman push --quiet "${tls[@]}" --digestfile "$digestfile" "$local_image" "docker://$target" >&2
    digest=$(cat "$digestfile") ;;
  docker)
    docker tag "$local_image" "$target"
    docker push --quiet "$target" >&2
    digest=$(docker image inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "$target" \
      | sed -n "s|^$repository@||p" | head -1) ;;
  *) echo "ENGINE must be docker or podman, not $engine" >&2; exit 2 ;;
esac
[[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]] || { echo "no digest for $target (got '$digest')" >&2; exit 1; }
echo "$digest"
