#!/usr/bin/env bash
# Installs the Debian packages spiral_acme needs when they are missing.
set -euo pipefail

# MuJoCo renders headless through Mesa: EGL (libegl1, libgl1-mesa-dri,
# libgl1) or OSMesa (libosmesa6), chosen by MUJOCO_GL.
packages=(libmypaint-dev mypaint-brushes pkg-config libegl1 libgl1-mesa-dri libgl1
          libosmesa6)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  apt_get=(apt-get)
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  apt_get=(sudo apt-get)
else
  echo "error: the Debian packages ${missing[*]} are missing and this user can" \
       "neither run apt-get as root nor use sudo without a password." >&2
  echo "Ask an administrator to run: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${apt_get[@]}" install -y --no-install-recommends "${missing[@]}" \
  || { "${apt_get[@]}" update && "${apt_get[@]}" install -y --no-install-recommends "${missing[@]}"; }
