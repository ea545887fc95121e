#!/usr/bin/env bash
# Userspace C against .clang-format, shell scripts with shellcheck, udev rule
# syntax.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. tests/lib/checks.sh
csrc=$(git ls-files 'daemon/*.[ch]' 'tests/*.[ch]' | grep -v '^tests/emu/' || true)
if [ -n "$csrc" ]; then
	rc=0
	# shellcheck disable=SC2086
	clang-format --dry-run -Werror $csrc || rc=$?
	check_rc "$rc" clang-format
else
	echo "clang-format: no userspace C yet"
fi
shells=$(git ls-files 'scripts/*.sh' '.ci/run' 'tests/bench/run' 'tests/bench/modbus/run' 'tests/dbus/run' 'tests/dbus/account-run' 'tests/dbus/system-run' 'tests/modbus/run' 'tests/modbus/rtu-run' 'tests/dlms/run' 'tests/bench/modbus/rtu' 'tests/install/run' 'tests/packages/run' 'tests/packages/build' 'tests/vm/packages-overlay' 'tests/arm/kernel-build' 'tests/arm/user-build' 'daemon/tools/conf-man' 'tests/quickstart/run' 'tests/soak/power-cut-vm' 'tests/arm/vm-smoke' 'tests/arm/lib' 'tests/arm/guest/init' 'tests/arm/guest/smoke')
rc=0
# shellcheck disable=SC2086
shellcheck -S warning $shells || rc=$?
check_rc "$rc" shellcheck
rc=0
python3 -m py_compile tests/vm/cases/vmtest.py tests/soak/power_cut.py || rc=$?
for c in tests/vm/cases/*; do
	[ -f "$c" ] || continue
	head -1 "$c" | grep -q python3 && { python3 -c "import ast,sys; ast.parse(open(sys.argv[1]).read())" "$c" || rc=1; }
done
check_rc "$rc" vm_cases_parse
rc=0
grep -vE '^\s*(#|$)' udev/60-polymeter.rules | grep -vE '^[A-Z ]' | grep -vE '^  RUN' && rc=1
check_rc "$rc" udev_rules_syntax
checks_summary
