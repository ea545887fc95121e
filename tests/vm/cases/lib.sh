# shellcheck shell=sh
# Helpers for VM test cases written in sh (the Python ones use vmtest.py).
# Source it with:  . "$(dirname "$0")/lib.sh"
#
# A case prints one "PASS <name>" or "FAIL <name>: <why>" line per check and
# ends with `finish`, which exits 1 when any check failed.

VMTEST_PASSED=0
VMTEST_FAILED=0
IIO_DEVICES=/sys/bus/iio/devices

pass() {
	VMTEST_PASSED=$((VMTEST_PASSED + 1))
	echo "PASS $1"
}

# fail NAME [WHY]
fail() {
	VMTEST_FAILED=$((VMTEST_FAILED + 1))
	echo "FAIL $1: ${2:-failed}"
}

# check NAME COMMAND [ARG...]: passes when the command succeeds.
check() {
	_name=$1
	shift
	if "$@"; then pass "$_name"; else fail "$_name" "'$*' failed"; fi
}

# expect_eq ACTUAL EXPECTED NAME
expect_eq() {
	if [ "$1" = "$2" ]; then pass "$3"; else fail "$3" "got '$1', expected '$2'"; fi
}

# check_close ACTUAL EXPECTED REL_TOL NAME [ABS_TOL]:
# passes when |ACTUAL - EXPECTED| <= max(REL_TOL * |EXPECTED|, ABS_TOL).
check_close() {
	_why=$(awk -v a="$1" -v e="$2" -v r="$3" -v t="${5:-0}" 'BEGIN {
		if (a !~ /^[-+]?[0-9.]+([eE][-+]?[0-9]+)?$/) { print "not a number: " a; exit }
		tol = r * (e < 0 ? -e : e); if (t > tol) tol = t
		d = a - e; if (d < 0) d = -d
		if (d > tol) printf "got %s, expected %s +- %g", a, e, tol
	}')
	if [ -z "$_why" ]; then pass "$4"; else fail "$4" "$_why"; fi
}

# boot_param NAME DEFAULT: the case's own parameter (CASE@NAME=VALUE in the
# case list: VMTEST_PARAM_NAME from the runner), else vmtest.NAME=... on the
# kernel command line.
boot_param() {
	# env, not printenv: Debian's busybox (the arm64 guest, tests/arm/guest) has no printenv
	if env | grep -q "^VMTEST_PARAM_$1="; then
		env | sed -n "s/^VMTEST_PARAM_$1=//p"
		return 0
	fi
	# shellcheck disable=SC2013 # the command line is a list of words
	for _t in $(cat /proc/cmdline); do
		case $_t in
		"vmtest.$1="*)
			echo "${_t#*=}"
			return 0
			;;
		esac
	done
	echo "$2"
}

# find_meter [TIMEOUT_S]: prints the sysfs path of the ade9000 IIO device.
find_meter() {
	_n=$((${1:-20} * 5))
	while [ "$_n" -gt 0 ]; do
		for _d in "$IIO_DEVICES"/iio:device*; do
			[ -r "$_d/name" ] && [ "$(cat "$_d/name")" = ade9000 ] && echo "$_d" && return 0
		done
		_n=$((_n - 1))
		sleep 0.2 # poll interval of this bounded wait
	done
	return 1
}

# unload_emu: removes the emulator and the driver (errors ignored).
unload_emu() {
	rmmod ade9000_emu 2>/dev/null
	rmmod ade9000 2>/dev/null
	return 0
}

# load_emu [PARAM=VALUE...]: loads the driver, then the chip emulator with the
# given module parameters (e.g. irq=1 crc=0 label=meter0), waits for the IIO
# device and prints its sysfs path. Returns 1 (diagnostics on stderr) when no
# device appears.
#   dev=$(load_emu irq=0) || { fail load "no device"; finish; }
load_emu() {
	unload_emu
	if ! modprobe ade9000; then
		echo "load_emu: modprobe ade9000 failed" >&2
		return 1
	fi
	# shellcheck disable=SC2068 # module parameters, one word each
	if ! modprobe ade9000_emu $@; then
		echo "load_emu: modprobe ade9000_emu $* failed" >&2
		return 1
	fi
	if ! find_meter 20; then
		echo "load_emu: no ade9000 IIO device appeared; dmesg:" >&2
		dmesg | tail -n 30 >&2
		return 1
	fi
}

# kernel_clean NAME: passes when the kernel log since the case started has no
# warning, BUG, oops or sanitizer report.
kernel_clean() {
	_bad=$(dmesg | grep -E 'WARNING:|BUG:|kernel BUG at|Oops|Call Trace|general protection|KASAN|UBSAN' | head -n 5)
	if [ -z "$_bad" ]; then pass "$1"; else fail "$1" "$(echo "$_bad" | tr '\n' ';')"; fi
}

# finish: summary line, exit status 1 when any check failed.
finish() {
	echo "# $VMTEST_PASSED checks passed, $VMTEST_FAILED failed"
	[ "$VMTEST_FAILED" -eq 0 ]
	exit
}
