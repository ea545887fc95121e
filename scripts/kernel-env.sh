# shellcheck shell=bash
# Sourced: the Debian header trees the kernel half is built against.
debian_headers() {
	dpkg-query -W -f='${Depends}' "$1" 2>/dev/null | sed -n 's/^\(linux-headers-[^ ,]*\).*/\1/p'
}
KDIR_61=${KDIR_61:-/usr/src/$(debian_headers linux-headers-amd64)}
KDIR_612=${KDIR_612:-/usr/src/$(debian_headers linux-headers-6.12-amd64)}
