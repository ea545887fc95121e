#!/usr/bin/env bash
# Unit tests of the pure core (Check), built with ASan and UBSan. Each test
# binary is one suite; a failing check, a sanitizer report or a crash fails
# it. Prints "N passed, N failed" over the individual checks.
#
# Everything this stage runs is built first by one make with a job per core
# (the core's objects are shared by every binary: built once), and the test
# binaries and the fuzzers run a core's worth at a time (each is a process
# of its own, with its own temporary files); their outputs are printed and
# counted in a fixed order, as if they had run one after the other.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
pass=0
fail=0
njobs=$(nproc)
# No time limit on any test: they check results, and a loaded machine (or an emulated CPU)
# must not turn a slow pass into a failure. 0 disarms Check's per-test timer.
export CK_DEFAULT_TIMEOUT=0
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# run_parallel NAME CMD [ARG...]: starts CMD in the background, its output to
# $scratch/NAME.out and exit status to $scratch/NAME.rc, once fewer than $njobs
# such commands run.
run_parallel() {
	local name=$1
	shift
	while (($(jobs -rp | wc -l) >= njobs)); do
		wait -n
	done
	{
		"$@" >"$scratch/$name.out" 2>&1
		echo $? >"$scratch/$name.rc"
	} &
}

# One build of everything below; -k builds what it can, and each part's own
# make further down then reports what failed to build.
make -s -k -j"$njobs" unit "$top/build/tools/scenario" "$top/build/test/tariff-check" \
	"$top/build/tools/dlms-objects-doc" fuzz-build >"$scratch/build.log" 2>&1
if ! make -s unit; then
	echo "unit: build failed"
	echo "0 passed, 1 failed"
	exit 1
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export CK_FORK=yes
tests=()
for t in build/unit/test_*; do
	[ -x "$t" ] || continue
	tests+=("$t")
	run_parallel "${t##*/}" "$t"
done
wait
for t in "${tests[@]}"; do
	out=$(<"$scratch/${t##*/}.out")
	rc=$(<"$scratch/${t##*/}.rc")
	echo "$out"
	# Check's summary: "NN%: Checks: C, Failures: F, Errors: E"
	if [[ $out =~ Checks:\ ([0-9]+),\ Failures:\ ([0-9]+),\ Errors:\ ([0-9]+) ]]; then
		c=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} e=${BASH_REMATCH[3]}
		pass=$((pass + c - f - e))
		fail=$((fail + f + e))
		if ((rc != 0 && f + e == 0)); then
			fail=$((fail + 1))
		fi
	else
		echo "FAIL ${t##*/}: no Check summary (rc=$rc)"
		fail=$((fail + 1))
	fi
done
# Scenarios (docs/scenario.md): the engines driven through a simulated clock. Each scenario
# file is one check; each must-fail scenario must be reported as failing; each Python script
# that computes a scenario's totals independently is one check.
if make -s "$top/build/tools/scenario"; then
	out=$(build/tools/scenario tests/scenario/*.scn 2>&1)
	rc=$?
	echo "$out"
	if [[ $out =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		pass=$((pass + BASH_REMATCH[1]))
		fail=$((fail + BASH_REMATCH[2]))
		if ((rc != 0 && BASH_REMATCH[2] == 0)); then
			echo "FAIL scenario: exit status $rc (a sanitizer report?)"
			fail=$((fail + 1))
		fi
	else
		echo "FAIL scenario: no summary"
		fail=$((fail + 1))
	fi
	for f in tests/scenario/must-fail/*.scn; do
		if out=$(build/tools/scenario "$f" 2>&1); then
			echo "FAIL $f: the runner accepted a scenario that must fail"
			fail=$((fail + 1))
		elif [[ $out =~ FAIL\ [^:]*:\ line\ [0-9]+:\ expect ]]; then
			echo "PASS $f (refused: ${out%%$'\n'*})"
			pass=$((pass + 1))
		else
			echo "FAIL $f: $out"
			fail=$((fail + 1))
		fi
	done
	for p in tests/scenario/*.py; do
		if /usr/bin/python3 "$p"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
		fi
	done
else
	echo "scenario: build failed"
	fail=$((fail + 1))
fi
# The published tariff JSON Schema against the parser (tests/schema/run: one check per
# example and per invalid document and rule).
if make -s "$top/build/test/tariff-check"; then
	out=$(/usr/bin/python3 tests/schema/run "$top/build/test/tariff-check" 2>&1)
	echo "$out"
	if [[ $out =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		pass=$((pass + BASH_REMATCH[1]))
		fail=$((fail + BASH_REMATCH[2]))
	else
		echo "FAIL tests/schema/run: no summary"
		fail=$((fail + 1))
	fi
else
	echo "tariff-check: build failed"
	fail=$((fail + 1))
fi
# The DLMS/COSEM objects' document (docs/dlms-objects.md) is what its generator prints from the
# directory the server serves (make dlms-doc): one check, as tests/modbus/run does for the
# Modbus map.
if make -s "$top/build/tools/dlms-objects-doc"; then
	if out=$(build/tools/dlms-objects-doc | diff -u docs/dlms-objects.md - 2>&1); then
		echo "PASS docs/dlms-objects.md matches its generator"
		pass=$((pass + 1))
	else
		echo "$out" | head -40
		echo "FAIL docs/dlms-objects.md differs from its generator: run make dlms-doc"
		fail=$((fail + 1))
	fi
else
	echo "dlms-objects-doc: build failed"
	fail=$((fail + 1))
fi
# Fuzzers (tests/fuzz, libFuzzer): each runs deterministically over its committed seed corpus
# (which keeps every input that once found a bug) and then a fixed number of mutations with a
# fixed seed; never a time limit. New inputs go to a scratch directory, a crash input to
# build/fuzz/. One check per fuzzer.
declare -A fuzz_runs=([sts]=100000 [tariff_file]=10000 [modbus_map]=200000 [conf]=20000
	[civil_money]=1000000 [dlms_axdr]=200000 [dlms_apdu]=200000 [dlms_session]=20000
	[dlms_hdlc]=200000 [dlms_hdlc_link]=50000)
fuzzers=(sts tariff_file modbus_map conf civil_money dlms_axdr dlms_apdu dlms_session dlms_hdlc
	dlms_hdlc_link)
if make -s fuzz-build; then
	for n in "${fuzzers[@]}"; do
		mkdir -p "$scratch/found_$n"
		run_parallel "fuzz_$n" build/fuzz/fuzz_"$n" -runs="${fuzz_runs[$n]}" -seed=1 \
			-artifact_prefix="$top/build/fuzz/" "$scratch/found_$n" "tests/fuzz/corpus/$n"
	done
	wait
	for n in "${fuzzers[@]}"; do
		if [[ $(<"$scratch/fuzz_$n.rc") == 0 ]]; then
			echo "PASS fuzz_$n: seed corpus + ${fuzz_runs[$n]} runs, seed 1"
			pass=$((pass + 1))
		else
			tail -40 "$scratch/fuzz_$n.out"
			echo "FAIL fuzz_$n (the input is in build/fuzz/)"
			fail=$((fail + 1))
		fi
	done
else
	echo "fuzz: build failed (clang and libclang-rt-14-dev: scripts/install-deps.sh)"
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
