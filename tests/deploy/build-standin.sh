#!/usr/bin/env bash
# Builds a local stand-in for the python:3.12-slim base image when no registry can
# be reached: a minimal Debian bookworm (debootstrap) plus this machine's CPython
# 3.12 copied into /usr/local, the way the official image lays it out. Imported
# into podman under a tag keyed by this script and the interpreter, so it is built
# once per machine and reused. Prints the image name. Needs root and debootstrap.
#   Usage: tests/deploy/build-standin.sh PYTHON_PREFIX
#   (PYTHON_PREFIX: sys.base_prefix of a CPython 3.12, e.g. /usr/local or a pyenv version)
set -euo pipefail
prefix=${1:?usage: build-standin.sh PYTHON_PREFIX}
suite=bookworm
repo="localhost/threadline-standin-python"

pybin="$prefix/bin/python3.12"
[ -x "$pybin" ] || { echo "no python3.12 under $prefix" >&2; exit 1; }
pyver=$("$pybin" -c 'import sys; print(sys.version.split()[0])')
key=$( { cat "$0"; echo "$suite $prefix $pyver"; } | sha256sum | cut -c1-12)
image="$repo:$pyver-$key"
if podman image exists "$image"; then
  echo "$image"
  exit 0
fi

# The mirror this machine's apt uses (deb822 or one-line format), else Debian's.
mirror=${DEBOOTSTRAP_MIRROR:-}
if [ -z "$mirror" ]; then
  mirror=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
fi
if [ -z "$mirror" ]; then
  mirror=$(awk '/^deb / && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
fi
mirror=${mirror:-http://deb.debian.org/debian}

work=$(mktemp -d /var/tmp/threadline-standin.XXXXXX)
trap 'rm -rf "$work"' EXIT
root="$work/root"

# Libraries CPython's extension modules link against (ssl, ctypes, sqlite3, lzma, bz2,
# readline, curses, uuid, expat), the same set python:3.12-slim carries.
libs=ca-certificates,netbase,tzdata,libssl3,libffi8,libsqlite3-0,libncursesw6,libreadline8,libbz2-1.0,liblzma5,zlib1g,libexpat1,libuuid1,libnsl2,libtirpc3
echo "building base image stand-in $image (debootstrap $suite from $mirror)" >&2
if ! debootstrap --variant=minbase --include="$libs" "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1; then
  tail -30 "$work/debootstrap.log" >&2
  exit 1
fi

# CPython into /usr/local, without its test suite, Tk, static library and site-packages
# (only pip is taken from there; anything else installed on this machine stays out).
tar -C "$prefix" -cf - \
  --exclude=./lib/python3.12/test --exclude=./lib/python3.12/idlelib \
  --exclude=./lib/python3.12/tkinter --exclude=./lib/python3.12/turtledemo \
  --exclude='./lib/python3.12/lib-dynload/_tkinter*' --exclude='./lib/python3.12/config-3.12-*/*.a' \
  --exclude='./lib/python3.12/site-packages/*' --exclude=./share --exclude='./bin/idle*' \
  . | tar -C "$root/usr/local" -xf -
site="$prefix/lib/python3.12/site-packages"
(cd "$site" && tar -cf - pip pip-*.dist-info) | tar -C "$root/usr/local/lib/python3.12/site-packages" -xf -
# Scripts' shebangs point at the interpreter's old place.
for f in "$root"/usr/local/bin/*; do
  if [ -f "$f" ] && [ ! -L "$f" ] && head -c 2 "$f" | grep -q '#!'; then
    sed -i "1s|^#!.*python.*$|#!/usr/local/bin/python3.12|" "$f"
  fi
done
# Lean like the official image: no byte code, test packages or symbols in /usr/local;
# no docs, man pages or translations (Debian's slim images leave them out too).
find "$root/usr/local" -depth \( \( -type d -a \( -name test -o -name tests -o -name idle_test \) \) \
  -o \( -type d -a -name __pycache__ \) -o \( -type f -a -name '*.py[co]' \) \) -exec rm -rf '{}' +
if command -v strip >/dev/null 2>&1; then  # binutils; without it the stand-in is just larger
  find "$root/usr/local" -type f \( -name '*.so' -o -name '*.so.*' \) -exec strip --strip-unneeded '{}' +
  strip --strip-unneeded "$root/usr/local/bin/python3.12"
fi
rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/*
chroot "$root" /sbin/ldconfig
chroot "$root" /usr/local/bin/python3.12 -c 'import ssl, sqlite3, ctypes, lzma, bz2, zlib, uuid, pip'
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb "$root"/var/log/*.log

tar -C "$root" -cf - . | podman import \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["python3"]' \
  - "$image" >/dev/null
# Older stand-ins (another script version or interpreter) are no longer needed.
podman images --format '{{.Repository}}:{{.Tag}}' | grep "^$repo:" | grep -vx "$image" \
  | xargs -r podman rmi >/dev/null 2>&1 || true
echo "$image"
