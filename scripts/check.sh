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

run_stage() {
	local name=$1
	shift
	local log="build/logs/check-$name.log"
	echo "=== $name: $*"
	local start=$SECONDS
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local line
	line=$(grep -E '^[[:alnum:]_ -]*:? ?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	local p=0 f=0
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
	echo "=== $name: rc=$rc, $p passed, $f failed, $((SECONDS - start)) s"
}

run_stage kernel scripts/check-kernel.sh
run_stage dt scripts/check-dt.sh
run_stage style scripts/check-style.sh
run_stage unit scripts/check-unit.sh
run_stage daemon make -s check-daemon
run_stage dbus tests/dbus/run
run_stage dbus-account tests/dbus/account-run
run_stage modbus tests/modbus/run
run_stage modbus-rtu tests/modbus/rtu-run
# The VM boots get polymeterd as `make daemon-install` puts it (an overlay of the image).
rm -rf build/vm-overlay
run_stage vm bash -c 'make -s daemon-install DESTDIR="$PWD/build/vm-overlay" && tests/vm/run-all'

if ((${#failed_stages[@]})); then
	echo "failed stages: ${failed_stages[*]}"
fi
echo "${total_pass} passed, ${total_fail} failed"
((total_fail == 0 && ${#failed_stages[@]} == 0))
