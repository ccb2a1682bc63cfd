#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build gpucore in tree of linux-source-6.1 with its KUnit suites and run them
# with the kernel's own kunit.py:
#
#   scripts/kunit.sh                  on UML, every gpucore suite, under KASAN,
#                                     lockdep, debugobjects and kmemleak (see
#                                     tests/kunit/gpucore.kunitconfig)
#   scripts/kunit.sh --arch x86_64    on x86_64 under qemu with two CPUs and
#                                     full preemption, every suite too (see
#                                     tests/kunit/gpucore-x86_64.kunitconfig)
#   scripts/kunit.sh --kcsan          on x86_64 under qemu with two CPUs and
#                                     KCSAN (no KASAN): the suites with
#                                     lockless paths (fence, queue, VM,
#                                     conformance); any data race fails
#                                     (see tests/kunit/gpucore-kcsan.kunitconfig)
#   scripts/kunit.sh --arch x86_64 --build-only
#                                     only build that kernel, and print the
#                                     path of its image: it is also the debug
#                                     kernel of scripts/e2e.sh --debug
#   scripts/kunit.sh --kernel 7.3 --arch bench
#                                     not a test kernel: the production
#                                     x86_64 kernel scripts/bench.sh boots
#                                     on 7.3 (tests/bench/bench-x86_64.
#                                     kunitconfig), built with its modules
#                                     installed under root/ in its build
#                                     directory, which it prints
#   scripts/kunit.sh --kernel 7.3 [--arch x86_64 ...]
#                                     the same on linux-source-7.3 (scripts/
#                                     kernels.sh fetches it) instead of 6.1;
#                                     the summary is "kunit-7.3: ..."
#
# Prints a few lines, the last one being "kunit: N passed, N failed" (on
# x86_64 "kunit-x86-64: ..."). Fails on any failed or crashed case, when no
# case ran or a filter matched none, and when the kernel log holds a report
# gpucore did not expect (BUG:, WARNING:, lockdep, RCU, ...).
#
# Which suites run: a space-separated list of globs (suite or suite.case),
# one kernel boot each: GPUCORE_KUNIT_FILTER on UML (default every suite),
# GPUCORE_KUNIT_X86_64_FILTER on x86_64 (default every suite too: SMP,
# preemption and DEBUG_ATOMIC_SLEEP). GPUCORE_KUNIT_TIMEOUT bounds each boot.
#
# Logs: build/logs/kunit-run.log (kunit.py's output, build errors included),
# build/logs/kunit.log (the raw kernel log), build/logs/kunit.json; on x86_64
# kunit-x86_64-run.log, kunit-x86_64.log and kunit-x86_64.json.
# The build directory lives in the cache and is kept between runs, keyed by
# the architecture, the kunitconfig, the kernel source version and the
# compiler.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

ARCH=um
BUILD_ONLY=n
SERIES=
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) SERIES=${2:-}; shift $(( $# > 1 ? 2 : 1 )) ;;
	--arch) ARCH=${2:-}; shift $(( $# > 1 ? 2 : 1 )) ;;
	--arch=*) ARCH=${1#--arch=}; shift ;;
	--build-only) BUILD_ONLY=y; shift ;;
	--kcsan) ARCH=kcsan; shift ;;
	*) ARCH=bad; break ;;
	esac
done

case $ARCH in
um)
	NAME=kunit
	KUNITCONFIG=$GC_TOP/tests/kunit/gpucore.kunitconfig
	RUNLOG=$GC_OUT/logs/kunit-run.log
	KLOG=$GC_OUT/logs/kunit.log
	JSON=$GC_OUT/logs/kunit.json
	TIMEOUT=${GPUCORE_KUNIT_TIMEOUT:-600}
	# Every gpucore suite is named gpucore_*.
	FILTER=${GPUCORE_KUNIT_FILTER:-gpucore*}
	PREFIX=uml
	KERNEL=linux
	ARCH_ARGS=()
	;;
x86_64)
	# The name of the summary line: check.sh reads [a-z0-9.-]+, no "_".
	NAME=kunit-x86-64
	KUNITCONFIG=$GC_TOP/tests/kunit/gpucore-x86_64.kunitconfig
	RUNLOG=$GC_OUT/logs/kunit-x86_64-run.log
	KLOG=$GC_OUT/logs/kunit-x86_64.log
	JSON=$GC_OUT/logs/kunit-x86_64.json
	# qemu without KVM emulates every instruction: leave room for slow
	# cases. A hung case is ended by KUnit's own 300 s case timeout.
	TIMEOUT=${GPUCORE_KUNIT_TIMEOUT:-900}
	# Only the suites that need a second CPU or preemption; the rest run
	# on UML.
	FILTER=${GPUCORE_KUNIT_X86_64_FILTER:-gpucore*}
	PREFIX=x86_64
	KERNEL=arch/x86/boot/bzImage
	# Two vCPUs, each on its own host thread (multi-threaded TCG), so
	# that they really run at the same time.
	ARCH_ARGS=(--arch=x86_64 "--qemu_args=-smp 2 -accel tcg,thread=multi")
	;;
kcsan)
	NAME=kunit-kcsan
	KUNITCONFIG=$GC_TOP/tests/kunit/gpucore-kcsan.kunitconfig
	RUNLOG=$GC_OUT/logs/kunit-kcsan-run.log
	KLOG=$GC_OUT/logs/kunit-kcsan.log
	JSON=$GC_OUT/logs/kunit-kcsan.json
	TIMEOUT=${GPUCORE_KUNIT_TIMEOUT:-1500}
	FILTER=${GPUCORE_KUNIT_KCSAN_FILTER:-gpucore_fence* gpucore_queue* gpucore_vm* gpucore_conformance*}
	# Not x86_64-*: the pruning below must not take the other kernel's builds.
	PREFIX=kcsan
	KERNEL=arch/x86/boot/bzImage
	ARCH_ARGS=(--arch=x86_64 "--qemu_args=-smp 2 -accel tcg,thread=multi")
	;;
bench)
	NAME=bench-kernel
	KUNITCONFIG=$GC_TOP/tests/bench/bench-x86_64.kunitconfig
	# A build alone: its log is kunit-PREFIX-build.log, as set below.
	RUNLOG=/dev/null
	KLOG=/dev/null
	JSON=/dev/null
	TIMEOUT=0
	FILTER=none
	PREFIX=bench
	KERNEL=arch/x86/boot/bzImage
	ARCH_ARGS=(--arch=x86_64)
	BUILD_ONLY=y
	;;
*)
	echo "usage: scripts/kunit.sh [--kernel 7.3] [--arch um|x86_64|bench | --kcsan] [--build-only]" >&2
	echo "kunit: 0 passed, 1 failed"
	exit 2
	;;
esac
# Another kernel than 6.1: its own names, logs and build directories
# (prefixed, so that the pruning below keeps each kernel's own).
if [ -n "$SERIES" ]; then
	# kunit-7.3, kunit-7.3-x86-64, kunit-7.3-kcsan
	if [ "$ARCH" = bench ]; then
		NAME=bench-kernel-$SERIES
	else
		NAME=kunit-$SERIES${NAME#kunit}
	fi
	PREFIX=$SERIES-$PREFIX
	RUNLOG=${RUNLOG%-run.log}-$SERIES-run.log
	KLOG=${KLOG%.log}-$SERIES.log
	JSON=${JSON%.json}-$SERIES.json
fi
# A build alone keeps the log of the last test run.
[ "$BUILD_ONLY" = n ] || RUNLOG=$GC_OUT/logs/kunit-$PREFIX-build.log
read -ra GLOBS <<<"$FILTER"
# Reports that must never appear in the kernel log. gpucore prints the
# reports it expects as "gpucore: caught ...", which are not matched.
BAD='\bBUG:|\bWARNING:|possible circular locking|inconsistent lock state|possible recursive locking|suspicious RCU usage|UBSAN|kmemleak: .*suspected memory leak|unreferenced object 0x|INFO: .*stall|Kernel panic|gpucore: BUG'

# summary PASSED FAILED: the last line, and the exit status.
summary()
{
	echo "$NAME: $1 passed, $2 failed"
	[ "$2" -eq 0 ]
	exit
}

# show FILE: a few lines of FILE, shortened, indented.
show()
{
	head -n "${2:-5}" "$1" | cut -c1-200 | sed 's/^/  /'
}

{ gc_deps_kunit && gc_need rsync; } || summary 0 1
[ "$ARCH" = um ] || gc_need qemu-system-x86 || summary 0 1
[ ${#GLOBS[@]} -gt 0 ] || { echo "$NAME: empty filter"; summary 0 1; }
if [ -n "$SERIES" ]; then
	SRC=$("$GC_TOP/scripts/kernels.sh" --src "$SERIES") || summary 0 1
else
	SRC=$(gc_linux_src) || summary 0 1
fi

# Runs from different checkouts share the kernel tree and the build: one at
# a time. Only this shell holds the lock (children get fd 9 closed).
mkdir -p "$GC_CACHE/kunit"
exec 9>"$GC_CACHE/kunit/.lock"
flock -n 9 || { echo "$NAME: waiting for another run to finish" >&2; flock 9; }
rm -f "$RUNLOG"
[ "$BUILD_ONLY" = y ] || rm -f "$KLOG" "$JSON"

# Put the project in tree. The checksum comparison leaves unchanged files
# (and their mtimes) alone, so kbuild only rebuilds what changed; build
# products of out-of-tree builds in the repo are not copied.
DEST=$SRC/drivers/gpu/drm/gpucore
mkdir -p "$DEST"
if ! rsync -rc --delete --delete-excluded \
	--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
	--exclude='*.o.d' --exclude='*.a' --exclude='.*.cmd' --exclude='.*.d' \
	--exclude='modules.order' --exclude='Module.symvers' \
	--exclude='*.symtypes' --exclude='.tmp_*' --exclude='.tmp_versions/' \
	--include='/Kbuild' --include='/Kconfig' --include='/gpucore/***' \
	--include='/tests/' --include='/tests/kunit/***' \
	--include='/backends/***' --include='/uapi/***' \
	--include='/examples/' --include='/examples/minimal_driver/***' --exclude='*' \
	"$GC_TOP/" "$DEST/" >"$RUNLOG" 2>&1 9>&-; then
	echo "$NAME: cannot copy the sources into $DEST"
	show "$RUNLOG"
	summary 0 1
fi
line='source "drivers/gpu/drm/gpucore/Kconfig"'
grep -qxF "$line" "$SRC/drivers/gpu/drm/Kconfig" ||
	printf '\n%s\n' "$line" >>"$SRC/drivers/gpu/drm/Kconfig"
line='obj-y += gpucore/'
grep -qxF "$line" "$SRC/drivers/gpu/drm/Makefile" ||
	printf '\n%s\n' "$line" >>"$SRC/drivers/gpu/drm/Makefile"

# One build directory per configuration: the architecture, the options
# (comments and order do not matter), the kernel source and the compiler.
BUILD=$(gc_kunit_build_dir "$PREFIX" "$KUNITCONFIG" "$SRC")
# Keep the three most recently used build directories of each architecture.
[ ! -d "$BUILD" ] || touch "$BUILD"
ls -1dt "$GC_CACHE/kunit/$PREFIX"-* 2>/dev/null | tail -n +4 | while read -r old; do
	[ "$old" = "$BUILD" ] || rm -rf "$old"
done

export CCACHE_DIR=${CCACHE_DIR:-$GC_CACHE/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-4G}
before=$(stat -c %Y "$BUILD/$KERNEL" 2>/dev/null || echo none)

# bench_install: the bench kernel's image and modules under $BUILD/root,
# as a Debian kernel package lays them out, and its release in $BUILD/kver;
# redone when the image is newer than the installed one.
bench_install()
{
	local v root=$BUILD/root

	v=$(make -s -C "$SRC" O="$BUILD" kernelrelease 2>>"$RUNLOG" 9>&-) || return 1
	[ "$BUILD/$KERNEL" -nt "$root/boot/vmlinuz-$v" ] || return 0
	rm -rf "$root"
	mkdir -p "$root/boot"
	if ! make -s -C "$SRC" O="$BUILD" INSTALL_MOD_PATH="$root" modules_install \
		>>"$RUNLOG" 2>&1 9>&-; then
		echo "$NAME: installing the modules failed, see $RUNLOG" >&2
		return 1
	fi
	cp "$BUILD/$KERNEL" "$root/boot/vmlinuz-$v"
	echo "$v" >"$BUILD/kver"
}

if [ "$BUILD_ONLY" = y ]; then
	if ! python3 "$SRC/tools/testing/kunit/kunit.py" build \
		--make_options="CC=ccache gcc" --jobs="$(nproc)" \
		--kunitconfig="$KUNITCONFIG" --build_dir="$BUILD" "${ARCH_ARGS[@]}" \
		>>"$RUNLOG" 2>&1 </dev/null 9>&-; then
		echo "$NAME: building the test kernel failed, see $RUNLOG" >&2
		exit 1
	fi
	after=$(stat -c %Y "$BUILD/$KERNEL" 2>/dev/null || echo none)
	[ "$before" = "$after" ] || echo "$NAME: built test kernel" >&2
	if [ "$ARCH" = bench ]; then
		bench_install || exit 1
		echo "$BUILD"
		exit 0
	fi
	echo "$BUILD/$KERNEL"
	exit 0
fi
rm -f "$BUILD/test.log" "$JSON".[0-9]*
# The first glob configures, builds and boots (run); each further glob only
# boots the same kernel again (exec). kunit.py overwrites test.log on every
# boot, so each one is appended to $KLOG as soon as it ends.
rc=0
empty=()
for i in "${!GLOBS[@]}"; do
	if [ "$i" -eq 0 ]; then
		cmd=(run --make_options="CC=ccache gcc" --jobs="$(nproc)")
	else
		cmd=(exec)
	fi
	json=$JSON
	[ ${#GLOBS[@]} -eq 1 ] || json=$JSON.$i
	start=$(wc -l <"$RUNLOG")
	python3 "$SRC/tools/testing/kunit/kunit.py" "${cmd[@]}" \
		--kunitconfig="$KUNITCONFIG" --build_dir="$BUILD" "${ARCH_ARGS[@]}" \
		--kernel_args=kasan_multi_shot \
		--timeout="$TIMEOUT" --json="$json" "${GLOBS[$i]}" \
		>>"$RUNLOG" 2>&1 </dev/null 9>&-
	r=$?
	[ "$rc" -ne 0 ] || rc=$r
	[ -f "$BUILD/test.log" ] || break
	cat "$BUILD/test.log" >>"$KLOG"
	rm -f "$BUILD/test.log"
	tail -n +"$((start + 1))" "$RUNLOG" | grep -q '0 tests run!' &&
		empty+=("${GLOBS[$i]}")
done
after=$(stat -c %Y "$BUILD/$KERNEL" 2>/dev/null || echo none)

if [ ! -f "$KLOG" ]; then
	# Configuration or build failure: kunit.py never started the kernel.
	if grep -q 'Missing: ' "$RUNLOG"; then
		echo "$NAME: kunitconfig options that did not survive olddefconfig:"
		grep -o 'Missing: .*' "$RUNLOG" | show /dev/stdin
	else
		echo "$NAME: building the test kernel failed (rc $rc), see $RUNLOG"
		{ grep -E 'error:|undefined reference|multiple definition' "$RUNLOG" ||
			grep -E 'Error [0-9]+|ERROR' "$RUNLOG" || tail -n 5 "$RUNLOG"; } |
			sed "s|$DEST/||g" | show /dev/stdin 8
	fi
	summary 0 1
fi

if [ ${#GLOBS[@]} -gt 1 ]; then
	# One JSON report for all boots: the suites of each, in order.
	python3 - "$JSON" "$JSON".[0-9]* <<-'EOF' 2>/dev/null
	import json, sys
	merged = None
	for path in sorted(sys.argv[2:], key=lambda p: int(p.rsplit(".", 1)[1])):
	    group = json.load(open(path))
	    if merged is None:
	        merged = group
	    else:
	        merged["sub_groups"] += group.get("sub_groups", [])
	        merged["test_cases"] += group.get("test_cases", [])
	if merged is not None:
	    json.dump(merged, open(sys.argv[1], "w"), indent=4)
	EOF
	rm -f "$JSON".[0-9]*
fi

if [ "$before" != "$after" ]; then
	secs=$(sed -n 's/.*s configuring, \([0-9]*\)\.[0-9]*s building.*/\1/p' "$RUNLOG" | tail -n 1)
	echo "$NAME: built test kernel in ${secs:-?} s"
fi

# Counts as kunit.py reports them, added up over the boots; parameterised
# cases count one each.
counts=$(grep -o 'Testing complete\. .*' "$RUNLOG")
count()	# count NAME: the sum of the numbers after "NAME: " in the counts lines
{
	printf '%s\n' "$counts" | grep -o "$1: [0-9]*" | grep -o '[0-9]*$' |
		awk '{ n += $1 } END { print n + 0 }'
}
passed=$(count passed)
failed=$(( $(count failed) + $(count crashed) ))
skipped=$(count skipped)
errors=$(count errors)
total=$(( passed + failed + skipped ))

if [ "$failed" -gt 0 ]; then
	# Name the failed cases suite.case, from the JSON results.
	python3 - "$JSON" <<-'EOF' 2>/dev/null | awk '!seen[$0]++' | head -n 5 | sed "s/^/$NAME: /"
	import json, sys
	def walk(group, path):
	    for case in group.get("test_cases", []):
	        if case["status"] not in ("PASS", "SKIP"):
	            name = case["name"] or "(crashed before reporting its name)"
	            print(case["status"], ".".join(path + [name]))
	    for sub in group.get("sub_groups", []):
	        walk(sub, path + [sub["name"]])
	walk(json.load(open(sys.argv[1])), [])
	EOF
	echo "$NAME: details in $RUNLOG"
elif [ ${#empty[@]} -gt 0 ]; then
	echo "$NAME: no test matched ${empty[*]} (filter: $FILTER)"
	failed=1
elif [ "$total" -eq 0 ] || [ "$rc" -ne 0 ] || [ "$errors" -gt 0 ]; then
	echo "$NAME: no valid results (kunit.py rc $rc; ${counts:-no summary}), see $RUNLOG"
	failed=1
fi
[ "$skipped" -eq 0 ] || echo "$NAME: $skipped skipped"

# Name the suites that stand for a promise of their own: the failure
# catalogue, and the conformance suite per backend.
python3 - "$JSON" <<-'EOF' 2>/dev/null
import json, sys
counts = {}
def add(name, status):
    p, f = counts.get(name, (0, 0))
    counts[name] = (p + (status == "PASS"), f + (status not in ("PASS", "SKIP")))
def cases(group):
    yield from group.get("test_cases", [])
    for sub in group.get("sub_groups", []):
        yield from cases(sub)
def walk(group):
    for sub in group.get("sub_groups", []):
        if sub["name"] == "gpucore_catalogue":
            for case in cases(sub):
                add("catalogue", case["status"])
        elif sub["name"] == "gpucore_conformance":
            # Each case runs once per backend, the backend being the parameter.
            for case in sub.get("sub_groups", []):
                for param in case.get("test_cases", []):
                    add("conformance " + param["name"], param["status"])
        else:
            walk(sub)
walk(json.load(open(sys.argv[1])))
for name in sorted(counts):
    print("  %s: %d passed, %d failed" % (name, *counts[name]))
EOF

if grep -aE "$BAD" "$KLOG" | grep -avF 'gpucore: caught' >"$KLOG.bad"; then
	echo "$NAME: unexpected reports in the kernel log ($KLOG):"
	show "$KLOG.bad"
	failed=$((failed + 1))
fi
rm -f "$KLOG.bad"

summary "$passed" "$failed"
