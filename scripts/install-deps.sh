#!/usr/bin/env bash
# Installs every Debian 12 package the build and the tests need. Idempotent:
# exits at once when everything is present (checked with dpkg-query, no
# network). Run as root.
set -euo pipefail
pkgs=(
	# kernel module build against Debian's 6.1 and 6.12 headers
	build-essential make gcc libc6-dev perl bc flex bison libelf-dev libssl-dev
	linux-headers-amd64 linux-headers-6.12-amd64
	# static checks: checkpatch.pl (from the kernel source), sparse, style
	linux-source-6.1 sparse clang-format shellcheck
	# device tree: binding schema, overlay
	device-tree-compiler dt-schema python3 python3-yaml
	# VM harness (tests/vm): qemu, debootstrap'ed guest, initramfs, image
	qemu-system-x86 debootstrap busybox-static cpio kmod xz-utils zstd
	e2fsprogs rsync
	# IIO userspace tools and library; unit tests (Check, sanitizers)
	libiio-utils libiio-dev check pkg-config libsubunit-dev
	# STS vending side of the tests (tests/support): DES and HMAC-SHA-256 for decoder keys;
	# polymeterd's DLMS security (AES-128-GCM, AES key wrap) and its test client's
	nettle-dev python3-cryptography
	# polymeterd: sd-event/sd-bus, INI config, SQLite store, Modbus; clients
	libsystemd-dev libinih-dev libjansson-dev libsqlite3-dev sqlite3 libmodbus-dev dbus
	mbpoll python3-pymodbus python3-serial-asyncio python3-dbus socat
	# polymeterd's supply control (contactor, aux relay, button): GPIO lines through libgpiod 1.6
	libgpiod-dev
	# tariff JSON Schema test; libFuzzer fuzzers (clang-14's runtime: libclang-rt-14-dev)
	python3-jsonschema clang libclang-rt-14-dev
	# Debian packages (debian/, tests/packages): dpkg-buildpackage, debhelper, DKMS, lintian
	dpkg-dev debhelper dh-dkms dkms lintian fakeroot
	# the driver cross-built for arm64 (tests/arm/kernel-build; the headers come from Debian's
	# arm64 archive through a private apt state)
	gcc-aarch64-linux-gnu
	# polymeterd, polymeterctl and the unit tests cross-built for armhf and arm64 and run under
	# qemu-user (tests/arm/user-build; the libraries come into a sysroot the same way)
	gcc-arm-linux-gnueabihf qemu-user
	# Debian's arm64 kernel booted with the driver on the emulated chip (tests/arm/vm-smoke):
	# qemu-system-aarch64
	qemu-system-arm
	# polymeterd's MQTT publisher (libmosquitto); tests/mqtt: the broker, its clients, openssl
	libmosquitto-dev mosquitto mosquitto-clients openssl python3-paho-mqtt
	# polymeter-web (docs/web.md): HTTP server library; Debian's Chromium for the page's test
	libmicrohttpd-dev chromium
)
# the page's front end is built with npm (make web): Debian's node and npm, unless a node
# with npm is already installed (e.g. from NodeSource, which ships its own npm)
command -v npm >/dev/null 2>&1 || pkgs+=(nodejs npm)
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
if ((EUID != 0)); then
	echo "install-deps: missing ${missing[*]}; run as root to install them" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: installed ${missing[*]}"
