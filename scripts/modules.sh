#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build gpucore and its modules out of tree against Debian's kernel headers,
# with W=1 and warnings as errors.
#   scripts/modules.sh            the configuration GPUCORE_DEBUG picks (y)
#   scripts/modules.sh --matrix   debug on, debug off, and the cleanup.h
#                                 fallback, each from a clean tree
#   scripts/modules.sh --sparse   also run sparse (C=2) over every file
#   scripts/modules.sh --kernel 6.12
#                                 the same against Debian's 6.12 headers
#                                 (scripts/kernels.sh fetches them), debug
#                                 off then on, in a copy of the sources
#                                 in the cache (where scripts/e2e.sh
#                                 --kernel 6.12 finds the modules) so that
#                                 the 6.1 build in place stays as it is;
#                                 ends with
#                                 "modules-6.12: N passed, N failed"
set -euo pipefail
. "$(dirname "$0")/lib.sh"

gc_deps_modules
if [ "${1:-}" = --kernel ]; then
	[ $# -eq 2 ] || { echo "usage: $0 --kernel 6.12" >&2; exit 2; }
	SERIES=$2
	KDIR=$("$GC_TOP/scripts/kernels.sh" "$SERIES")
	MTOP=$(gc_kernel_tree "$SERIES")
	set -- --series
else
	KDIR=$(gc_kdir)
	MTOP=$GC_TOP
fi
# GPUCORE_AGX=n leaves the AGX backend out.
AGX=
[ "${GPUCORE_AGX:-y}" = y ] && AGX=CONFIG_DRM_GPUCORE_AGX=m
# The stub backends and the minimal driver.
STUBS="CONFIG_DRM_GPUCORE_NOVA=m CONFIG_DRM_GPUCORE_AMDGPU=m CONFIG_DRM_GPUCORE_MINIMAL=m"
# The benchmark module: built so that lint and W=1 cover it; loading it runs it.
STUBS+=" CONFIG_DRM_GPUCORE_BENCH=m"

build()	# build NAME DEBUG [extra make args...]
{
	local name=$1 debug=$2 log
	shift 2
	log=$GC_OUT/logs/modules-$name.log
	make -s -C "$KDIR" M="$MTOP" clean >/dev/null 2>&1 || true
	if ! make -C "$KDIR" M="$MTOP" W=1 KCFLAGS=-Werror \
		CONFIG_DRM_GPUCORE=m CONFIG_DRM_GPUCORE_DEBUG="$debug" \
		CONFIG_DRM_GPUCORE_E2E_TEST=m $AGX $STUBS "$@" modules >"$log" 2>&1; then
		grep -E 'error|warning' "$log" | head -30 >&2
		echo "modules ($name): FAILED, see $log" >&2
		return 1
	fi
	if grep -E '(warning|error):' "$log" >&2; then
		echo "modules ($name): diagnostics in $log" >&2
		return 1
	fi
	echo "modules ($name): ok against $(basename "$KDIR")"
}

case "${1:-}" in
--series)
	passed=0 failed=0
	# Production last: its modules are the ones scripts/e2e.sh boots on
	# the stock kernels other than 6.1, whose run keeps the debug build
	# (the demo shows a caught double put), so that both are run.
	for d in y n; do
		name=$SERIES-$([ $d = y ] && echo debug || echo nodebug)
		if build "$name" $d; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
		fi
	done
	echo "modules-$SERIES: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	;;
--matrix)
	build fallback-cleanup n KCPPFLAGS=-DGPUCORE_FORCE_CLEANUP_FALLBACK
	build nodebug n
	build debug y
	;;
--sparse)
	gc_deps_lint
	build sparse y C=2
	;;
*)
	if [ "${GPUCORE_DEBUG:-y}" = y ]; then build debug y; else build nodebug n; fi
	;;
esac
