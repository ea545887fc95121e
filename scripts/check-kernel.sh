#!/usr/bin/env bash
# Kernel build matrix and style: the driver and the chip emulator
# (POLYMETER_EMU=m) against Debian 12's 6.1
# and 6.12 headers with W=1 and sparse (C=1), zero warnings allowed; then
# checkpatch.pl --strict from Debian's linux-source-6.1.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. scripts/kernel-env.sh
. tests/lib/checks.sh

for kdir in "$KDIR_61" "$KDIR_612"; do
	series=$(basename "$kdir")
	out="build/kbuild-$series"
	mkdir -p "$out"
	rsync -a --delete --exclude=build --exclude=.git ./ "$out/"
	log="build/logs/kbuild-$series.log"
	mkdir -p build/logs
	rc=0
	make -C "$kdir" M="$top/$out" POLYMETER_EMU=m W=1 C=1 modules >"$log" 2>&1 || rc=$?
	if [ "$rc" = 0 ] && grep -E 'warning:|error:' "$log" | grep -v 'Skipping BTF' >/dev/null; then
		rc=1
	fi
	[ "$rc" = 0 ] || grep -E 'warning:|error:|Error' "$log" | head -40
	check_rc "$rc" "build_W1_sparse_$series"
done

cp_dir=build/checkpatch
if [ ! -f "$cp_dir/scripts/checkpatch.pl" ]; then
	mkdir -p "$cp_dir"
	tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$cp_dir" --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
fi
for f in $(git ls-files 'driver/*.c' 'driver/*.h' 'include/*.h' 'tests/emu/*.c' 2>/dev/null); do
	rc=0
	perl "$cp_dir/scripts/checkpatch.pl" --strict --no-tree --quiet -f "$f" || rc=$?
	check_rc "$rc" "checkpatch_strict_$f"
done
checks_summary
