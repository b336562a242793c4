#!/usr/bin/env bash
# Installs the Debian packages Stellar builds and runs with. Idempotent and
# quick when nothing is missing: dpkg is asked first, apt only for what lacks.
set -euo pipefail

packages=(
  build-essential pkg-config
  libdpdk-dev dpdk dpdk-dev
  libzmq3-dev libprotobuf-c-dev protobuf-c-compiler
  liblua5.4-dev libpcap-dev libyaml-dev libjansson-dev
  libgtest-dev libssl-dev clang libclang-rt-14-dev
  libmicrohttpd-dev curl
  iproute2 procps ethtool
)
# Callers may ask for more (make bench adds gnuplot).
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y --no-install-recommends "${missing[@]}"; then
  $sudo apt-get update
  $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi
