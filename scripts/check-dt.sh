#!/usr/bin/env bash
# Device tree: dt-schema validation of the binding, dtc build of every overlay
# (a dtc warning is a failure).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
pass=0
fail=0
result() {
	if [ "$1" = 0 ]; then pass=$((pass + 1)); echo "PASS $2"; else fail=$((fail + 1)); echo "FAIL $2"; fi
}
for y in $(git ls-files 'dts/bindings/*.yaml'); do
	rc=0
	out=$(dt-doc-validate -u "$top/dts/bindings" "$y" 2>&1) || rc=$?
	[ -z "$out" ] || { echo "$out"; rc=1; }
	result "$rc" "dt-doc-validate_$y"
done
mkdir -p build/dt
for d in dts/overlays/*.dts; do
	rc=0
	out=$(dtc -@ -I dts -O dtb -o "build/dt/$(basename "$d" .dts).dtbo" "$d" 2>&1) || rc=$?
	[ -z "$out" ] || { echo "$out"; rc=1; }
	result "$rc" "dtc_$d"
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
