#!/usr/bin/env bash
# Installs every Debian 12 package the build and the tests need. Idempotent:
# exits at once when everything is present. Run as root.
set -euo pipefail
pkgs=(
	make gcc libc6-dev perl bc flex bison libelf-dev libssl-dev rsync
	linux-headers-amd64 linux-headers-6.12-amd64 linux-source-6.1 sparse
	device-tree-compiler dt-schema python3 python3-yaml
	qemu-system-x86 qemu-utils debootstrap busybox-static cpio kmod
	xz-utils zstd e2fsprogs libiio-utils libiio-dev clang-format shellcheck check
)
missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing+=("$p")
	fi
done
if ((${#missing[@]} == 0)); then
	echo "install-deps: all ${#pkgs[@]} packages present"
	exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
