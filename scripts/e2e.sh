#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end tests: boot Debian's stock kernel in qemu with an initramfs that
# carries busybox, the kernel's DRM modules, gpucore and the test modules and
# programs of tests/e2e/, run the cases of tests/e2e/init and check the
# serial log.
#   scripts/e2e.sh          run the tests (after `make modules`); prints the
#                           failed cases and "e2e: N passed, N failed"
#   scripts/e2e.sh --demo   boot, load gpucore and run the demo client
#   scripts/e2e.sh --debug  the same user-space tests on the debug kernel:
#                           the x86_64 KUnit kernel of scripts/kunit.sh
#                           (KASAN, lockdep, kmemleak, fault injection, two
#                           CPUs, PREEMPT) with gpucore, the AGX driver and
#                           vgem built in, booted with KUnit off; ends with
#                           "e2e-debug: N passed, N failed"
#   scripts/e2e.sh --kernel 6.12 [--demo]
#                           the same on Debian's stock 6.12 kernel
#                           (scripts/kernels.sh fetches it) with the
#                           modules of scripts/modules.sh --kernel 6.12,
#                           the production build (debug tracking off);
#                           ends with "e2e-6.12: N passed, N failed"
#   scripts/e2e.sh --debug --kernel 7.3
#                           the debug run on the x86_64 KUnit kernel built
#                           from linux-source-7.3 (scripts/kunit.sh
#                           --kernel 7.3); "e2e-debug-7.3: ..."
# The AGX driver joins unless GPUCORE_AGX=n (as for scripts/modules.sh): the
# uapi suite of tests/uapi/ runs, each of its cases counting as one result,
# and the demo runs examples/agx_client.c.
# The serial log is kept in build/logs/e2e.log (demo.log for --demo).
# GPUCORE_E2E_TIMEOUT sets the VM's time limit in seconds (300).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/vm.sh
. "$(dirname "$0")/vm.sh"

MODE="test"
NAME=e2e
SERIES=
while [ $# -gt 0 ]; do
	case "$1" in
	--demo) MODE=demo ;;
	--debug) MODE=debug; NAME=e2e-debug ;;
	--kernel) SERIES=${2:-}; shift ;;
	*) echo "usage: $0 [--demo|--debug] [--kernel 6.12|7.3]" >&2; exit 2 ;;
	esac
	shift
done

gc_deps_e2e
# The kernel: the machine's stock one, or one fetched into the cache whose
# modules (ours too) are outside the machine's /lib/modules.
BASE=
MTOP=$GC_TOP
KDIR=$(gc_kdir)
BUILD="make modules"
V=
if [ "$MODE" = debug ]; then
	# The debug kernel is built from source with every driver built in.
	NAME=e2e-debug${SERIES:+-$SERIES}
elif [ -n "$SERIES" ]; then
	KDIR=$("$GC_TOP/scripts/kernels.sh" "$SERIES")
	BASE=$GC_CACHE/kernels/$SERIES/root
	V=$(cat "$GC_CACHE/kernels/$SERIES/kver")
	KERNEL=$BASE/boot/vmlinuz-$V
	MTOP=$(gc_kernel_tree_dir "$SERIES")
	BUILD="scripts/modules.sh --kernel $SERIES"
	NAME=e2e-$SERIES
else
	V=$(gc_kver)
	KERNEL=/boot/vmlinuz-$V
fi
STOCK=/lib/modules/$V
# One staging directory per mode and kernel, so that the runs can overlap.
E2E=$GC_OUT/e2e/$MODE${SERIES:+-$SERIES}
ROOT=$E2E/root
INITRD=$E2E/initramfs.cpio
LOG=$GC_OUT/logs/$([ "$MODE" = test ] && echo e2e || echo "$MODE")${SERIES:+-$SERIES}.log
TIMEOUT=${GPUCORE_E2E_TIMEOUT:-300}
# The guest: the stock kernel boots in seconds; the debug kernel checks
# every access and lock under emulation, ten times slower or more.
MEM=1G
APPEND="e2e_mode=$MODE"

# Our modules, and the stock modules the guest loads (with their dependencies;
# tests/e2e/init loads the same list: ttm is for the amdgpu-style backend).
OUR_MODULES="gpucore/gpucore.ko tests/e2e/gc_e2e.ko"
# The stub backends and the minimal driver: each loads, probes its simulated
# device and unloads.
OUR_MODULES+=" backends/amdgpu/gpucore_amdgpu.ko backends/nova/gpucore_nova.ko"
OUR_MODULES+=" examples/minimal_driver/gpucore_minimal.ko"
DRM_MODULES="drm gpu-sched drm_shmem_helper ttm"
# Static test programs, tests/e2e/NAME.c, installed as /bin/NAME.
PROGRAMS="fence_unload"
# The AGX driver, its uapi suite and the demo client; vgem provides fences
# that user space signals, for the uapi suite.
AGX=n
if [ "${GPUCORE_AGX:-y}" = y ]; then
	AGX=y
	OUR_MODULES+=" backends/agx/gpucore_agx.ko"
	DRM_MODULES+=" vgem"
fi

if [ "$MODE" = debug ]; then
	OUR_MODULES=
	TIMEOUT=${GPUCORE_E2E_TIMEOUT:-1200}
	MEM=2G
	# KUnit off: its suites ran in their own boots. The AGX driver's job
	# timeout is short, as the stock-kernel run sets it at insmod. no5lvl:
	# under TCG, -cpu max offers LA57 and this KASAN kernel then reports
	# wild accesses from the first interrupt on, before init ever runs.
	APPEND+=" no5lvl kunit.enable=0 kasan_multi_shot log_buf_len=4M gpucore_agx.timeout_ms=300"
	# The fuzzer's oracle holds the core DRM ioctls to the rules of 6.1
	# and 6.12; 7.3 changed some of them (SYNCOBJ_WAIT with no handles
	# succeeds), so there it does not run.
	[ "$SERIES" != 7.3 ] || APPEND+=" e2e_skip=fuzz"
	# GPUCORE_E2E_LONG=1: the long reliability runs (make fuzz).
	[ "${GPUCORE_E2E_LONG:-0}" = 1 ] && APPEND+=" e2e_long=1"
fi

# Result lines of the init's cases and of the test programs it runs, and the
# programs' summary lines.
RESULT_RE='^(e2e|uapi|fail-nth|stress|fuzz|unplug|exhaust): '
SUMMARY_RE='^(uapi|fail-nth|stress|fuzz|unplug|exhaust): [0-9]+ passed, [0-9]+ failed$'

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

die()
{
	echo "$NAME: FAIL setup: $*"
	echo "$NAME: 0 passed, 1 failed"
	exit 1
}

# debug_kernel: build (or find up to date) the debug kernel, set KERNEL.
debug_kernel()
{
	local out

	out=$("$GC_TOP/scripts/kunit.sh" ${SERIES:+--kernel "$SERIES"} --arch x86_64 --build-only) ||
		die "the debug kernel did not build (build/logs/kunit-x86_64-build.log)"
	KERNEL=$(tail -n 1 <<<"$out")
	[ -f "$KERNEL" ] || die "no debug kernel image at $KERNEL"
}

# check_modules: our modules are built, for the kernel that boots.
check_modules()
{
	local ko err

	for ko in $OUR_MODULES; do
		err=$(gc_vm_check_vermagic "$V" "$MTOP/$ko" 2>&1) ||
			die "${err#"$MTOP"/}$([ -f "$MTOP/$ko" ] || echo " (run $BUILD)")"
	done
}

# build_static NAME SOURCE... [-- FLAGS...]: a static program linked against
# libdrm.a, installed as /bin/NAME.
build_static()
{
	local name=$1

	shift
	gc_vm_static_prog "$E2E/bin/$name" "$@" || die "cannot build $name"
}

# build_programs: the static test programs (and with AGX, the uapi suite and
# the demo client).
build_programs()
{
	local p

	rm -rf "${E2E:?}/bin"
	mkdir -p "$E2E/bin"
	for p in $PROGRAMS; do
		build_static "$p" -I"$GC_TOP/tests/e2e" "$GC_TOP/tests/e2e/$p.c"
	done
	if [ "$AGX" = y ]; then
		build_static agx_uapi_test -I"$GC_TOP/uapi/drm" "$GC_TOP"/tests/uapi/*.c
		build_static agx_client -I"$GC_TOP/uapi/drm" "$GC_TOP/examples/agx_client.c"
		# The reliability stages, on the uapi suite's helpers.
		for p in failnth stress fuzz unplug exhaust; do
			build_static "$p" -I"$GC_TOP/uapi/drm" -I"$GC_TOP/tests/uapi" \
				"$GC_TOP/tests/reliability/$p.c" "$GC_TOP/tests/reliability/rel.c" \
				"$GC_TOP/tests/uapi/agx.c"
		done
	fi
}

# build_abi_mismatch: the minimal driver built with the other
# CONFIG_DRM_GPUCORE_DEBUG setting than the gpucore being staged, in a copy
# of its sources, into $E2E/abi/ with the name of the ABI symbol it needs
# (and gpucore lacks). modpost, given gpucore's exports, must already name
# that symbol and no other as undefined; the guest checks that the loader
# refuses the module (case abi_mismatch_refused).
build_abi_mismatch()
{
	local abi=$E2E/abi src=$E2E/abi-src debug=n sym log=$GC_OUT/logs/$NAME-abi.log n

	sym=gpucore_abi_debug_tracking_off
	if ! grep -q "	gpucore_abi_debug_tracking_on	" "$MTOP/Module.symvers"; then
		debug=y
		sym=gpucore_abi_debug_tracking_on
	fi
	rm -rf "$abi" "$src"
	mkdir -p "$abi" "$src/gpucore" "$src/examples" "$src/backends"
	cp -r "$MTOP/gpucore/include" "$MTOP/gpucore/compat" "$src/gpucore/"
	# The simulated platform device's helper, which the driver includes.
	cp -r "$MTOP/backends/common" "$src/backends/"
	cp -r "$MTOP/examples/minimal_driver" "$src/examples/"
	make -s -C "$KDIR" M="$src/examples/minimal_driver" clean >/dev/null 2>&1 || true
	if ! make -C "$KDIR" M="$src/examples/minimal_driver" CONFIG_DRM_GPUCORE_MINIMAL=m \
		CONFIG_DRM_GPUCORE_DEBUG=$debug KBUILD_EXTRA_SYMBOLS="$MTOP/Module.symvers" \
		KBUILD_MODPOST_WARN=1 modules >"$log" 2>&1; then
		die "the mismatched minimal driver did not build, see $log"
	fi
	# Besides the guard, a debug-tracking module needs the checked handle
	# operations (__gc_*) that a production gpucore does not export.
	n=$(grep 'undefined!' "$log" | grep -cvE "\"($sym|__gc_[a-z_]+)\"" || true)
	if ! grep -q "\"$sym\" \[.*\] undefined!" "$log" || [ "$n" -ne 0 ]; then
		die "modpost did not name $sym, and nothing but gpucore's debug symbols, as undefined, see $log"
	fi
	cp "$src/examples/minimal_driver/gpucore_minimal.ko" "$abi/"
	echo "$sym" >"$abi/symbol"
	rm -rf "$src"
}

# stage_root: the initramfs: busybox, the init, the programs and, for the
# stock kernel, its DRM modules and ours (the debug kernel has every driver
# built in).
stage_root()
{
	local kos=() ko

	gc_vm_root "$ROOT" "$GC_TOP/tests/e2e/init"
	if [ "$MODE" != debug ]; then
		for ko in $OUR_MODULES; do
			kos+=("$MTOP/$ko")
		done
		# shellcheck disable=SC2086 # a word list
		if ! gc_vm_stock_modules -b "$BASE" "$ROOT" "$V" $DRM_MODULES ||
		   ! gc_vm_add_files "$ROOT" "$STOCK/extra" "${kos[@]}" ||
		   ! depmod -b "$ROOT" "$V"; then
			die "cannot stage the modules"
		fi
		gc_vm_add_files "$ROOT" abi "$E2E"/abi/*
	fi
	gc_vm_add_files "$ROOT" bin "$E2E"/bin/*
	gc_vm_pack "$ROOT" "$INITRD"
}

# boot: run the VM; the serial console goes to $LOG. Returns qemu's status
# (124 when the time limit killed it).
boot()
{
	# shellcheck disable=SC2086 # the command line is a word list
	gc_vm_boot -m "$MEM" "$KERNEL" "$INITRD" "$LOG" "$TIMEOUT" $APPEND
}

# section NAME: the lines of $LOG between "e2e: NAME BEGIN" and "... END".
section()
{
	gc_vm_section "$LOG" "e2e: $1"
}

# kernel_problems: kernel log lines that make the run fail, each with the
# case or check it happened in: the init's cases, the uapi suite's cases and
# the reliability stages' checks mark the log.
kernel_problems()
{
	gc_vm_kernel_problems '(e2e|uapi): case |(fail-nth|stress|fuzz|unplug|exhaust): check '
}

report()	# report QEMU_RC
{
	local qrc=$1 results problems passed failed

	results=$(section RESULTS)
	if grep -q '^e2e: RESULTS END' "$LOG"; then
		problems=$(section DMESG | kernel_problems)
	else
		# The guest hung or crashed: use what the console shows.
		results=$(grep -oE "$RESULT_RE(PASS|FAIL) .*" "$LOG" || true)
		problems=$(kernel_problems <"$LOG")
		if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
			results+=$'\n'"e2e: FAIL end_marker: VM killed after ${TIMEOUT}s, see $LOG"
		else
			results+=$'\n'"e2e: FAIL end_marker: VM stopped early (qemu status $qrc), see $LOG"
		fi
	fi
	if [ -n "$problems" ]; then
		results+=$'\n'"e2e: FAIL kernel_log: $(head -n 1 <<<"$problems")"
		[ "$(wc -l <<<"$problems")" -gt 1 ] &&
			results+=" (+$(($(wc -l <<<"$problems") - 1)) more, see $LOG)"
	elif [ "$MODE" != demo ]; then
		results+=$'\n'"e2e: PASS kernel_log"
	fi

	if [ "$MODE" = demo ]; then
		grep '^demo: ' "$LOG" || true
	fi
	# The checks of the programs (the uapi suite, the reliability stages)
	# count one by one, like the cases of the init; their own summaries
	# name each stage.
	grep -E "$SUMMARY_RE" <<<"$results" | sed 's/^/  /' || true
	grep -E "${RESULT_RE}FAIL " <<<"$results" | sed "s/^e2e:/$NAME:/" || true
	passed=$(grep -cE "${RESULT_RE}PASS " <<<"$results" || true)
	failed=$(grep -cE "${RESULT_RE}FAIL " <<<"$results" || true)
	[ "$MODE" = demo ] || echo "$NAME: $passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}

t0=$(now)
if [ "$MODE" = debug ]; then
	debug_kernel
fi
check_modules
[ "$MODE" = debug ] || build_abi_mismatch
# Modules built without debug tracking (the production build: 6.12's
# tree ends with it) cannot catch the double put the init commits on
# purpose, which would be a real one: that case is left out.
if [ "$MODE" != debug ] && grep -q "	gpucore_abi_debug_tracking_off	" "$MTOP/Module.symvers"; then
	echo "$NAME: production modules (debug tracking off)" >&2
	APPEND+=" e2e_skip=inject_double_put"
fi
build_programs
stage_root
t1=$(now)
qrc=0
boot || qrc=$?
t2=$(now)
{
	echo "e2e: initramfs $(elapsed "$t0" "$t1")s ($(du -k "$INITRD" | cut -f1) KiB)," \
		"boot and tests $(elapsed "$t1" "$t2")s, qemu status $qrc"
} >>"$LOG"
report "$qrc"
