# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-only
# What the shell test harnesses share (the counterpart of tests/lib/checks.py): PASS/FAIL
# counting with the "N passed, N failed" last line that scripts/check.sh adds up, the sum of
# sub-harnesses' last lines, and a bounded wait on a state change instead of a fixed sleep.
# Source it with:  . "$top/tests/lib/checks.sh"

CHECKS_PASSED=0
CHECKS_FAILED=0

# check_pass NAME
check_pass() {
	CHECKS_PASSED=$((CHECKS_PASSED + 1))
	echo "PASS $1"
}

# check_fail NAME [WHY]
check_fail() {
	CHECKS_FAILED=$((CHECKS_FAILED + 1))
	echo "FAIL $1: ${2:-condition false}"
}

# check_rc STATUS NAME: PASS when STATUS (a command's exit status) is 0.
check_rc() {
	if [ "$1" = 0 ]; then
		check_pass "$2"
	else
		check_fail "$2" "exit status $1"
	fi
}

# checks_add_result LINE: adds the counts of a sub-harness's "N passed, N failed" line;
# returns 1 (nothing added) when LINE is not one.
checks_add_result() {
	[[ $1 =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]] || return 1
	CHECKS_PASSED=$((CHECKS_PASSED + BASH_REMATCH[1]))
	CHECKS_FAILED=$((CHECKS_FAILED + BASH_REMATCH[2]))
}

# checks_summary: prints the last line; returns 1 when anything failed.
checks_summary() {
	echo "$CHECKS_PASSED passed, $CHECKS_FAILED failed"
	[ "$CHECKS_FAILED" -eq 0 ]
}

# wait_until TIMEOUT_S WHAT COMMAND [ARG...]: runs the command every 0.1 s until it succeeds.
# After TIMEOUT_S seconds (a bound that keeps a broken run finite, not a figure under test)
# says on stderr what was awaited and returns 1.
wait_until() {
	local timeout=$1 what=$2
	shift 2
	local deadline=$((SECONDS + timeout))
	until "$@"; do
		if ((SECONDS >= deadline)); then
			echo "timed out after $timeout s waiting for $what" >&2
			return 1
		fi
		sleep 0.1
	done
}
