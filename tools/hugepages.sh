#!/usr/bin/env bash
# Reserves 2 MiB hugepages and mounts hugetlbfs where DPDK looks for it.
# Idempotent: does nothing when enough pages are reserved and mounted.
set -euo pipefail

want=${STELLAR_HUGEPAGES:-512}
mnt=/dev/hugepages
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi

have=$(awk '/^HugePages_Total:/ {print $2}' /proc/meminfo)
if [ "${have:-0}" -lt "$want" ]; then
  echo "$want" | $sudo tee /proc/sys/vm/nr_hugepages >/dev/null
  have=$(awk '/^HugePages_Total:/ {print $2}' /proc/meminfo)
  if [ "${have:-0}" -lt "$want" ]; then
    echo "hugepages: only $have of $want 2 MiB pages could be reserved (memory fragmented?)" >&2
    exit 1
  fi
fi

if ! grep -qs " $mnt hugetlbfs " /proc/mounts; then
  $sudo mkdir -p "$mnt"
  $sudo mount -t hugetlbfs -o pagesize=2M nodev "$mnt"
fi
