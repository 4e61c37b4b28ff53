#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real: Chromium for the
# browser tests; podman and friends, and an OCI registry, for the container tests; Redis
# (the page cache's tests, make bench) for every group but container; Node and npm for the
# accessibility checks (axe-core). WeasyPrint (invoice PDFs) needs Pango and a font; the tests
# read PDFs back with pdftotext (group pdf, also in browser and all). Idempotent and quiet
# when everything is there. Usage: scripts/system-deps.sh node|pdf|browser|container|bench|redis|all
set -euo pipefail
want=${1:-all}
pkgs=()
need() { dpkg -s "$1" >/dev/null 2>&1 || pkgs+=("$1"); }
if [ "$want" = browser ] || [ "$want" = all ]; then
  need chromium
fi
if [ "$want" = node ] || [ "$want" = browser ] || [ "$want" = all ]; then
  command -v npm >/dev/null 2>&1 || { need nodejs; need npm; }
fi
if [ "$want" = pdf ] || [ "$want" = browser ] || [ "$want" = all ]; then
  for p in libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils; do need "$p"; done
fi
if [ "$want" = bench ]; then
  need wrk
fi
if [ "$want" != container ]; then
  need redis-server
fi
if [ "$want" = container ] || [ "$want" = all ]; then
  for p in podman buildah runc fuse-overlayfs slirp4netns uidmap debootstrap golang-github-containernetworking-plugin-dnsname docker-registry; do need "$p"; done
  # promtool (Debian's prometheus package): the alerting rules' unit tests. Nothing starts it.
  need prometheus
fi
[ ${#pkgs[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing system packages: ${pkgs[*]}. Install them with your package manager." >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "Missing system packages: ${pkgs[*]}; run as root or install them: apt-get install ${pkgs[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "Installing system packages: ${pkgs[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
