#!/usr/bin/env bash
# make check: every test of the repository, in order of cost. Each stage
# prints its own "N passed, N failed" line; this script adds them up and
# prints the total as its last line. It keeps going after a failing stage so
# one run shows everything that is wrong.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
mkdir -p build/logs

total_pass=0
total_fail=0
failed_stages=()

# Adds a finished stage's "N passed, N failed" (the last such line of its log) to the totals.
tally_stage() {
	local name=$1 log=$2 rc=$3 secs=$4
	local line p=0 f=0
	line=$(grep -E '^[[:alnum:]_ -]*:? ?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
		p=${BASH_REMATCH[1]}
		f=${BASH_REMATCH[2]}
	fi
	if ((rc != 0 && f == 0)); then
		f=1
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	((rc != 0)) && failed_stages+=("$name")
	echo "=== $name: rc=$rc, $p passed, $f failed, $secs s"
}

run_stage() {
	local name=$1
	shift
	local log="build/logs/check-$name.log"
	echo "=== $name: $*"
	local start=$SECONDS
	"$@" 2>&1 | tee "$log"
	tally_stage "$name" "$log" "${PIPESTATUS[0]}" $((SECONDS - start))
}

run_stage kernel scripts/check-kernel.sh
run_stage dt scripts/check-dt.sh
run_stage style scripts/check-style.sh
run_stage unit scripts/check-unit.sh
# The VM boots get polymeterd as `make daemon-install` puts it (an overlay of the image). They
# take most of the time and use the machine differently (qemu), so they run in the background
# while the host's stages run; their output follows once they end.
rm -rf build/vm-overlay
vm_log=build/logs/check-vm.log
vm_start=$SECONDS
echo "=== vm: in the background, output in $vm_log"
if make -s daemon daemon-asan && make -s daemon-install DESTDIR="$PWD/build/vm-overlay" &&
	install -D -m 0644 -t build/vm-overlay/opt/vmtest/dlms tests/dlms/dlms_client.py \
		tests/dlms/cosem_axdr.py tests/dlms/cosem_apdu.py; then
	tests/vm/run-all >"$vm_log" 2>&1 &
	vm_pid=$!
else
	echo "0 passed, 1 failed (the overlay could not be built)" >"$vm_log"
	vm_pid=
fi

run_stage daemon make -s check-daemon
run_stage dbus tests/dbus/run
run_stage dbus-account tests/dbus/account-run
run_stage dbus-system tests/dbus/system-run
run_stage modbus tests/modbus/run
run_stage modbus-rtu tests/modbus/rtu-run
run_stage dlms tests/dlms/run

vm_rc=1
if [[ -n $vm_pid ]]; then
	wait "$vm_pid"
	vm_rc=$?
fi
echo "=== vm: tests/vm/run-all"
cat "$vm_log"
tally_stage vm "$vm_log" "$vm_rc" $((SECONDS - vm_start))

if ((${#failed_stages[@]})); then
	echo "failed stages: ${failed_stages[*]}"
fi
echo "${total_pass} passed, ${total_fail} failed"
((total_fail == 0 && ${#failed_stages[@]} == 0))
