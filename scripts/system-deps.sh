#!/usr/bin/env bash
# Make sure the Debian packages the tests drive are present: Chromium for the
# Playwright tests, redis-server for the scale-out test, and Debian's torch
# (with OpenBLAS) for the checkpoint-exporter tests. As root on Debian
# or Ubuntu it installs what is missing; otherwise it says what to install.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
/usr/bin/python3 -c "import torch" >/dev/null 2>&1 || missing+=(python3-torch)
dpkg -s libopenblas0-openmp >/dev/null 2>&1 || missing+=(libopenblas0-openmp)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: installing ${missing[*]} with apt-get" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
else
  echo "system-deps: missing ${missing[*]}; run: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
