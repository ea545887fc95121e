#!/usr/bin/env bash
# make check: every test of the repository. The VM suite starts first in the
# background (a boot a core: tests/vm/run-all); the host stages run
# meanwhile in two lanes (below). Each stage prints its own "N passed,
# N failed" line; this script adds them up, prints every stage's wall and CPU
# seconds and then the total as its last line. It keeps going after a
# failing stage so one run shows everything that is wrong.
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
	scripts/cpu-of "$log.cpu" "$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	tally_stage "$name" "$log" "$rc" $((SECONDS - start)) "$(<"$log.cpu")"
}

# lane_stage NAME CMD [ARG...]: a stage of the second lane (below): its output goes only to
# its log, and "rc seconds" to the log's .result, for lane_report.
lane_stage() {
	local name=$1
	shift
	local log="build/logs/check-$name.log" start=$SECONDS
	echo 0 >"$log.cpu"
	echo "$*" >"$log.cmd"
	scripts/cpu-of "$log.cpu" "$@" >"$log" 2>&1
	echo "$? $((SECONDS - start))" >"$log.result"
}

# lane_report NAME...: prints each second-lane stage's command and output and counts it.
lane_report() {
	local name log rc secs
	for name in "$@"; do
		log="build/logs/check-$name.log"
		echo "=== $name (second lane): $(<"$log.cmd")"
		cat "$log"
		rc=1 secs=0
		read -r rc secs <"$log.result"
		tally_stage "$name" "$log" "$rc" "$secs" "$(<"$log.cpu")"
	done
}

# The VM suite uses most of the CPU (its guests under TCG) and is the longest to wait for: it
# starts first, in the background, once its overlays are built, and the host's stages run
# meanwhile; its output follows once it ends. The boots get polymeterd as
# `make daemon-install` puts it (an overlay of the image).
rm -rf build/vm-overlay
vm_log=build/logs/check-vm.log
vm_start=$SECONDS
echo "=== vm: in the background, output in $vm_log"
# polymeterd as the boots get it, and the Debian packages and kernel headers the VM's packages
# case installs
build_overlays() {
	# and everything the second lane's stages build (below), so that no two makes build the
	# same file at once
	make -s -j"$(nproc)" daemon daemon-asan "$PWD/build/daemon/polymeterctl" \
		"$PWD/build/unit/test_conf" "$PWD/build/test/dbus-serve" "$PWD/build/test/polymeterctl" \
		"$PWD/build/test/modbus-serve" "$PWD/build/test/modbus-map-doc" \
		"$PWD/build/test/modbus-rtu-serve" web-asan &&
		make -s daemon-install DESTDIR="$PWD/build/vm-overlay" &&
		install -D -m 0644 -t build/vm-overlay/opt/vmtest/dlms tests/dlms/dlms_client.py \
			tests/dlms/cosem_axdr.py tests/dlms/cosem_apdu.py || return 1
	{ tests/packages/build && rm -rf build/vm-packages && tests/vm/packages-overlay build/vm-packages; } ||
		echo "=== packages for the VM: not built (build/packages/build.log)"
}
echo 0 >build/logs/check-overlay.cpu
echo 0 >build/logs/check-vm.cpu
export -f build_overlays
if scripts/cpu-of build/logs/check-overlay.cpu bash -c build_overlays; then
	overlay_secs=$((SECONDS - vm_start))
	scripts/cpu-of build/logs/check-vm.cpu tests/vm/run-all >"$vm_log" 2>&1 &
	vm_pid=$!
else
	overlay_secs=$((SECONDS - vm_start))
	echo "0 passed, 1 failed (the overlay could not be built)" >"$vm_log"
	vm_pid=
fi

# The host's stages in two lanes at once. The second lane's stages run polymeterd and its
# clients and mostly wait on them (dlms: 308 s of wall for ~25 s of CPU); the first's build and
# compute (the unit tests, the cross builds, qemu-user). Nothing in one lane writes what the
# other reads: the second lane's programs were built above; the first builds into its own
# directories (build/unit, build/fuzz, build/kbuild-*, build/arm). The second lane's output
# is printed once both lanes have ended.
host_start=$SECONDS
# NAME:COMMAND (split on blanks)
lane2=("daemon:make -s check-daemon" "dbus:tests/dbus/run" "dbus-account:tests/dbus/account-run"
	"dbus-system:tests/dbus/system-run" "modbus:tests/modbus/run" "modbus-rtu:tests/modbus/rtu-run"
	"dlms:tests/dlms/run" "quickstart:tests/quickstart/run" "install:tests/install/run"
	"packages:tests/packages/run --built" "mqtt:tests/mqtt/run" "web:tests/web/run"
	"soak:tests/soak/kill-host 20")
lane2_names=("${lane2[@]%%:*}")
{
	for stage in "${lane2[@]}"; do
		read -ra cmd <<<"${stage#*:}"
		lane_stage "${stage%%:*}" "${cmd[@]}"
	done
} </dev/null &
lane2_pid=$!
echo "=== second lane: ${lane2_names[*]} in the background, output when both lanes end"
run_stage kernel scripts/check-kernel.sh
run_stage dt scripts/check-dt.sh
run_stage style scripts/check-style.sh
run_stage unit scripts/check-unit.sh
run_stage arm-kernel tests/arm/kernel-build
# Debian's arm64 kernel under qemu-system-aarch64 with the modules arm-kernel built (~1 min)
run_stage arm-vm tests/arm/vm-smoke --built
# armhf (the 2038 check) and arm64: each cross-builds everything once more and runs the unit
# tests and the scenarios under qemu-user (arm64: 112 s of CPU for the 44 tests and the
# scenarios, test_store's SQLite 49 s of it)
run_stage arm-user tests/arm/user-build armhf arm64
wait "$lane2_pid"
lane_report "${lane2_names[@]}"
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
# CPU: user + system seconds of the stage's processes, every descendant counted
# (scripts/cpu-of; the VM suite's: its qemu guests, all series); on this 2-core machine make
# check is bound by CPU, so a stage's CPU is what it takes from the others running beside it.
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
