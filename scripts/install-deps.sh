#!/usr/bin/env bash
# Installs the system libraries pooler links against, when they are missing.
# Runs apt-get as root, or through sudo; otherwise stops and names the packages.
set -euo pipefail

packages=(libopenblas-dev libhdf5-dev zlib1g-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: missing system packages: ${missing[*]}; this script knows apt-get only." >&2
  echo "hint: install OpenBLAS and HDF5 development packages with your package manager." >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  run=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  run=(sudo)
elif command -v sudo >/dev/null 2>&1 && [ -t 0 ]; then
  run=(sudo)
else
  echo "error: missing system packages: ${missing[*]}, and no root or sudo to install them." >&2
  echo "hint: as root run: apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing ${missing[*]} ..." >&2
"${run[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${run[@]}" apt-get install -y -qq "${missing[@]}" >&2
