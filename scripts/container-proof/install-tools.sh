#!/usr/bin/env bash
# Installs what the container proof needs from Debian when missing (as root): podman with
# runc, debootstrap (as the containers note does), docker-compose 1.29 without its
# recommended Docker engine (it is driven against podman's socket), curl and redis-cli.
set -euo pipefail
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
podman_missing=()
for tool in podman runc debootstrap; do have "$tool" || podman_missing+=("$tool"); done
other_missing=()
have docker-compose || other_missing+=(docker-compose)
have curl || other_missing+=(curl)
have redis-cli || other_missing+=(redis-tools)
[ ${#podman_missing[@]} -eq 0 ] && [ ${#other_missing[@]} -eq 0 ] && exit 0
echo "== installing ${podman_missing[*]} ${other_missing[*]} from Debian"
apt-get -o DPkg::Lock::Timeout=600 update -qq
export DEBIAN_FRONTEND=noninteractive
if [ ${#podman_missing[@]} -gt 0 ]; then
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq podman runc debootstrap >/dev/null
fi
if [ ${#other_missing[@]} -gt 0 ]; then
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${other_missing[@]}" >/dev/null
fi
