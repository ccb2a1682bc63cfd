#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build and install gpucore with DKMS (dkms.conf), as a vendor ships it, for
# Debian's 6.1 kernel and for 6.12 (scripts/kernels.sh fetches it), each in
# a private DKMS tree under build/dkms/: nothing of the machine's own DKMS
# state or /lib/modules is touched. Checks that every module dkms.conf
# names is built for that kernel and, for a kernel installed on the machine
# (6.1), installed: dkms install ends in depmod of the kernel's own
# /lib/modules, which a fetched kernel does not have.
#   scripts/dkms.sh [SERIES...]   default: 6.1 6.12
# Ends with "dkms: N passed, N failed" (one check per kernel).
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

gc_deps_modules && gc_need dkms || { echo "dkms: 0 passed, 1 failed"; exit 1; }
[ $# -gt 0 ] || set -- 6.1 6.12
VER=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$GC_TOP/dkms.conf")
MODULES=$(sed -n 's/^BUILT_MODULE_NAME\[[0-9]*\]="\(.*\)"$/\1/p' "$GC_TOP/dkms.conf")

# one SERIES: add, build and install for SERIES in a private tree.
one()
{
	local series=$1 kver kdir dir log m ko magic where install=

	if [ "$series" = 6.1 ]; then
		kver=$(gc_kver) || return 1
		kdir=/usr/src/linux-headers-$kver
	else
		kdir=$("$GC_TOP/scripts/kernels.sh" "$series") || return 1
		kver=$(cat "$GC_CACHE/kernels/$series/kver")
	fi
	dir=$GC_OUT/dkms/$series
	log=$GC_OUT/logs/dkms-$series.log
	rm -rf "$dir"
	# dkms installs only into a kernel it finds there.
	mkdir -p "$dir/src/gpucore-$VER" "$dir/tree" "$dir/install/$kver"
	# The package's sources: the files of the checkout, as a source package has them.
	(cd "$GC_TOP" && git ls-files -co --exclude-standard -z |
		tar --null -T - --ignore-failed-read -cf - 2>/dev/null) |
		tar -C "$dir/src/gpucore-$VER" -xf -
	set -- --dkmstree "$dir/tree" --sourcetree "$dir/src" --installtree "$dir/install" \
		-m gpucore -v "$VER" -k "$kver"
	[ -d "/lib/modules/$kver/kernel" ] && install=y
	if ! { dkms add "$@" && dkms build "$@" --kernelsourcedir "$kdir" &&
	       { [ -z "$install" ] || dkms install "$@" --kernelsourcedir "$kdir" --force; }; } \
		>"$log" 2>&1; then
		tail -n 8 "$log" | sed 's/^/  /'
		echo "dkms ($series): FAILED, see $log"
		return 1
	fi
	where=$dir/tree/gpucore/$VER/$kver
	[ -z "$install" ] || where=$dir/install/$kver
	for m in $MODULES; do
		ko=$(find "$where" -name "$m.ko*" | head -n 1)
		[ -n "$ko" ] || { echo "dkms ($series): $m is missing in $where"; return 1; }
		magic=$(modinfo -F vermagic "$ko")
		[ "${magic%% *}" = "$kver" ] ||
			{ echo "dkms ($series): $m is built for ${magic%% *}"; return 1; }
	done
	echo "dkms ($series): $(echo "$MODULES" | wc -w) modules $([ -n "$install" ] && echo installed || echo built) for $kver"
}

passed=0 failed=0
for s in "$@"; do
	if one "$s"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "dkms: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
