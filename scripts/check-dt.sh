#!/usr/bin/env bash
# Device tree: dt-schema validation of the binding, dtc build of every overlay
# (a dtc warning is a failure).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. tests/lib/checks.sh
for y in $(git ls-files 'dts/bindings/*.yaml'); do
	rc=0
	out=$(dt-doc-validate -u "$top/dts/bindings" "$y" 2>&1) || rc=$?
	[ -z "$out" ] || { echo "$out"; rc=1; }
	check_rc "$rc" "dt-doc-validate_$y"
done
mkdir -p build/dt
for d in dts/overlays/*.dts; do
	rc=0
	out=$(dtc -@ -I dts -O dtb -o "build/dt/$(basename "$d" .dts).dtbo" "$d" 2>&1) || rc=$?
	[ -z "$out" ] || { echo "$out"; rc=1; }
	check_rc "$rc" "dtc_$d"
done
checks_summary
