#!/usr/bin/env bash
# make check: every test of the repository. The VM suite, the longest stage,
# starts first in the background; the host stages run meanwhile, in order of
# cost. Each stage prints its own "N passed, N failed" line; this script adds
# them up, prints every stage's seconds and then the total as its last line.
# It keeps going after a failing stage so one run shows everything that is
# wrong.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
mkdir -p build/logs

total_pass=0
total_fail=0
failed_stages=()

stage_names=()
stage_secs=()
stage_cpus=()
t_check=$SECONDS

# cpu_of CMD [ARG...]: runs CMD and writes the CPU seconds (user + system) of every process
# it waited for, from bash's `times` (its second line: the children's) in a subshell of its
# own, to the file $CPU_FILE. On this 2-core machine make check is bound by CPU, not by
# waiting: the CPU a stage costs is what it takes from everything running beside it.
cpu_of() {
	(
		"$@"
		rc=$?
		# `times` itself, not in a pipe or $(...): a forked shell has no children yet
		times >"$CPU_FILE.times"
		l=$(tail -n 1 "$CPU_FILE.times")
		rm -f "$CPU_FILE.times"
		if [[ $l =~ ([0-9]+)m([0-9.]+)s\ ([0-9]+)m([0-9.]+)s ]]; then
			awk -v um="${BASH_REMATCH[1]}" -v us="${BASH_REMATCH[2]}" -v sm="${BASH_REMATCH[3]}" \
				-v ss="${BASH_REMATCH[4]}" 'BEGIN { printf "%d\n", um * 60 + us + sm * 60 + ss }' \
				>"$CPU_FILE"
		fi
		exit "$rc"
	)
}

# Adds a finished stage's "N passed, N failed" (the last such line of its log) to the totals.
tally_stage() {
	local name=$1 log=$2 rc=$3 secs=$4 cpu=$5
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
	stage_names+=("$name")
	stage_secs+=("$secs")
	stage_cpus+=("$cpu")
	echo "=== $name: rc=$rc, $p passed, $f failed, $secs s, CPU $cpu s"
}

run_stage() {
	local name=$1
	shift
	local log="build/logs/check-$name.log"
	echo "=== $name: $*"
	local start=$SECONDS rc
	echo 0 >"$log.cpu"
	CPU_FILE=$log.cpu cpu_of "$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	tally_stage "$name" "$log" "$rc" $((SECONDS - start)) "$(<"$log.cpu")"
}

# The VM suite takes most of the time, most of it waiting on the guests' emulated grid, and
# uses the machine differently (qemu): it starts first, in the background, and the host's
# stages run meanwhile, cheapest first; its output follows once it ends. The boots get
# polymeterd as `make daemon-install` puts it (an overlay of the image).
rm -rf build/vm-overlay
vm_log=build/logs/check-vm.log
vm_start=$SECONDS
echo "=== vm: in the background, output in $vm_log"
# polymeterd as the boots get it, and the Debian packages and kernel headers the VM's packages
# case installs
build_overlays() {
	make -s -j"$(nproc)" daemon daemon-asan &&
		make -s daemon-install DESTDIR="$PWD/build/vm-overlay" &&
		install -D -m 0644 -t build/vm-overlay/opt/vmtest/dlms tests/dlms/dlms_client.py \
			tests/dlms/cosem_axdr.py tests/dlms/cosem_apdu.py || return 1
	{ tests/packages/build && rm -rf build/vm-packages && tests/vm/packages-overlay build/vm-packages; } ||
		echo "=== packages for the VM: not built (build/packages/build.log)"
}
echo 0 >build/logs/check-overlay.cpu
echo 0 >build/logs/check-vm.cpu
if CPU_FILE=build/logs/check-overlay.cpu cpu_of build_overlays; then
	overlay_secs=$((SECONDS - vm_start))
	CPU_FILE=build/logs/check-vm.cpu cpu_of tests/vm/run-all >"$vm_log" 2>&1 &
	vm_pid=$!
else
	overlay_secs=$((SECONDS - vm_start))
	echo "0 passed, 1 failed (the overlay could not be built)" >"$vm_log"
	vm_pid=
fi

host_start=$SECONDS
run_stage kernel scripts/check-kernel.sh
run_stage dt scripts/check-dt.sh
run_stage style scripts/check-style.sh
run_stage unit scripts/check-unit.sh
run_stage daemon make -s check-daemon
run_stage dbus tests/dbus/run
run_stage dbus-account tests/dbus/account-run
run_stage dbus-system tests/dbus/system-run
run_stage modbus tests/modbus/run
run_stage modbus-rtu tests/modbus/rtu-run
run_stage dlms tests/dlms/run
run_stage quickstart tests/quickstart/run
run_stage install tests/install/run
run_stage packages tests/packages/run --built
run_stage arm-kernel tests/arm/kernel-build
# Debian's arm64 kernel under qemu-system-aarch64 with the modules arm-kernel built (~1 min)
run_stage arm-vm tests/arm/vm-smoke --built
# armhf (the 2038 check) and arm64: each cross-builds everything once more and runs the unit
# tests and the scenarios under qemu-user (arm64: 112 s of CPU for the 44 tests and the
# scenarios, test_store's SQLite 49 s of it)
run_stage arm-user tests/arm/user-build armhf arm64
run_stage mqtt tests/mqtt/run
run_stage web tests/web/run
run_stage soak tests/soak/kill-host 20
host_end=$SECONDS

vm_rc=1
if [[ -n $vm_pid ]]; then
	wait "$vm_pid"
	vm_rc=$?
fi
echo "=== vm: tests/vm/run-all"
cat "$vm_log"
tally_stage vm "$vm_log" "$vm_rc" $((SECONDS - vm_start)) "$(<build/logs/check-vm.cpu)"

# Where the time went: every stage's seconds, the VM suite's (which ran beside the host stages,
# after the overlay's build) and each of its series'.
# CPU: user + system seconds of the stage's processes (the VM suite's: of its qemu guests, all
# series); the machine has $(nproc) cores to give.
echo "=== seconds per stage (wall, CPU)"
overlay_cpu=$(<build/logs/check-overlay.cpu)
cpu_total=$overlay_cpu
printf '  %-16s %5d s %6d s\n' "vm overlay build" "$overlay_secs" "$overlay_cpu"
for i in "${!stage_names[@]}"; do
	printf '  %-16s %5d s %6d s\n' "${stage_names[$i]}" "${stage_secs[$i]}" "${stage_cpus[$i]}"
	cpu_total=$((cpu_total + stage_cpus[i]))
done
sed -n 's/^=== vm series \([^:]*\): .*, \([0-9]*\) s$/\1 \2/p' "$vm_log" |
	while read -r series secs; do
		printf '  %-16s %5d s\n' "  vm $series" "$secs"
	done
printf '  %-16s %5d s\n' "host stages" $((host_end - host_start))
printf '  %-16s %5d s %6d s (%d cores)\n' "make check" $((SECONDS - t_check)) "$cpu_total" "$(nproc)"
if ((${#failed_stages[@]})); then
	echo "failed stages: ${failed_stages[*]}"
fi
echo "${total_pass} passed, ${total_fail} failed"
((total_fail == 0 && ${#failed_stages[@]} == 0))
