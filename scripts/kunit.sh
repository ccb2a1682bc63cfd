#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build gpucore in tree of linux-source-6.1 with its KUnit suites and run them
# on UML with the kernel's own kunit.py, under KASAN, lockdep, debugobjects
# and kmemleak (see tests/kunit/gpucore.kunitconfig).
#
# Prints a few lines, the last one being "kunit: N passed, N failed". Fails
# on any failed or crashed case, when no case ran, and when the kernel log
# holds a report gpucore did not expect (BUG:, WARNING:, lockdep, RCU, ...).
#
# Logs: build/logs/kunit-run.log (kunit.py's output, build errors included),
# build/logs/kunit.log (the raw kernel log), build/logs/kunit.json.
# The build directory lives in the cache and is kept between runs, keyed by
# the kunitconfig, the kernel source version and the compiler.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

KUNITCONFIG=$GC_TOP/tests/kunit/gpucore.kunitconfig
RUNLOG=$GC_OUT/logs/kunit-run.log
KLOG=$GC_OUT/logs/kunit.log
JSON=$GC_OUT/logs/kunit.json
TIMEOUT=${GPUCORE_KUNIT_TIMEOUT:-600}
# Every gpucore suite is named gpucore_*.
FILTER=${GPUCORE_KUNIT_FILTER:-gpucore*}
# Reports that must never appear in the kernel log. gpucore prints the
# reports it expects as "gpucore: caught ...", which are not matched.
BAD='\bBUG:|\bWARNING:|possible circular locking|inconsistent lock state|possible recursive locking|suspicious RCU usage|UBSAN|kmemleak: .*suspected memory leak|unreferenced object 0x|INFO: .*stall|Kernel panic|gpucore: BUG'

# summary PASSED FAILED: the last line, and the exit status.
summary()
{
	echo "kunit: $1 passed, $2 failed"
	[ "$2" -eq 0 ]
	exit
}

# show FILE: a few lines of FILE, shortened, indented.
show()
{
	head -n "${2:-5}" "$1" | cut -c1-200 | sed 's/^/  /'
}

{ gc_deps_kunit && gc_need rsync; } || summary 0 1
SRC=$(gc_linux_src) || summary 0 1

# Runs from different checkouts share the kernel tree and the build: one at
# a time. Only this shell holds the lock (children get fd 9 closed).
mkdir -p "$GC_CACHE/kunit"
exec 9>"$GC_CACHE/kunit/.lock"
flock -n 9 || { echo "kunit: waiting for another run to finish"; flock 9; }
rm -f "$RUNLOG" "$KLOG" "$JSON"

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
	--include='/backends/***' --include='/uapi/***' --exclude='*' \
	"$GC_TOP/" "$DEST/" >"$RUNLOG" 2>&1 9>&-; then
	echo "kunit: cannot copy the sources into $DEST"
	show "$RUNLOG"
	summary 0 1
fi
line='source "drivers/gpu/drm/gpucore/Kconfig"'
grep -qxF "$line" "$SRC/drivers/gpu/drm/Kconfig" ||
	printf '\n%s\n' "$line" >>"$SRC/drivers/gpu/drm/Kconfig"
line='obj-y += gpucore/'
grep -qxF "$line" "$SRC/drivers/gpu/drm/Makefile" ||
	printf '\n%s\n' "$line" >>"$SRC/drivers/gpu/drm/Makefile"

# One build directory per configuration: the options (comments and order do
# not matter), the kernel source and the compiler.
key=$({
	grep -E '^(# )?CONFIG_' "$KUNITCONFIG" | sort
	basename "$SRC"
	gcc --version | head -n 1
} | sha256sum | cut -c1-12)
BUILD=$GC_CACHE/kunit/uml-$key
# Keep the three most recently used build directories.
[ ! -d "$BUILD" ] || touch "$BUILD"
ls -1dt "$GC_CACHE"/kunit/uml-* 2>/dev/null | tail -n +4 | while read -r old; do
	[ "$old" = "$BUILD" ] || rm -rf "$old"
done

export CCACHE_DIR=${CCACHE_DIR:-$GC_CACHE/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-4G}
before=$(stat -c %Y "$BUILD/linux" 2>/dev/null || echo none)
rm -f "$BUILD/test.log"
python3 "$SRC/tools/testing/kunit/kunit.py" run \
	--kunitconfig="$KUNITCONFIG" --build_dir="$BUILD" \
	--make_options="CC=ccache gcc" --jobs="$(nproc)" \
	--kernel_args=kasan_multi_shot \
	--timeout="$TIMEOUT" --json="$JSON" "$FILTER" \
	>>"$RUNLOG" 2>&1 </dev/null 9>&-
rc=$?
after=$(stat -c %Y "$BUILD/linux" 2>/dev/null || echo none)

if [ ! -f "$BUILD/test.log" ]; then
	# Configuration or build failure: kunit.py never started the kernel.
	if grep -q 'Missing: ' "$RUNLOG"; then
		echo "kunit: kunitconfig options that did not survive olddefconfig:"
		grep -o 'Missing: .*' "$RUNLOG" | show /dev/stdin
	else
		echo "kunit: building the test kernel failed (rc $rc), see $RUNLOG"
		{ grep -E 'error:|undefined reference|multiple definition' "$RUNLOG" ||
			grep -E 'Error [0-9]+|ERROR' "$RUNLOG" || tail -n 5 "$RUNLOG"; } |
			sed "s|$DEST/||g" | show /dev/stdin 8
	fi
	summary 0 1
fi
cp "$BUILD/test.log" "$KLOG"

if [ "$before" != "$after" ]; then
	secs=$(sed -n 's/.*s configuring, \([0-9]*\)\.[0-9]*s building.*/\1/p' "$RUNLOG" | tail -n 1)
	echo "kunit: built test kernel in ${secs:-?} s"
fi

# Counts as kunit.py reports them; parameterised cases count one each.
counts=$(grep -o 'Testing complete\. .*' "$RUNLOG" | tail -n 1)
count()	# count NAME: the number after "NAME: " in the counts line, or 0
{
	local n
	n=$(printf '%s\n' "$counts" | grep -o "$1: [0-9]*" | grep -o '[0-9]*$')
	echo "${n:-0}"
}
passed=$(count passed)
failed=$(( $(count failed) + $(count crashed) ))
skipped=$(count skipped)
errors=$(count errors)
total=$(( passed + failed + skipped ))

if [ "$failed" -gt 0 ]; then
	# Name the failed cases suite.case, from the JSON results.
	python3 - "$JSON" <<-'EOF' 2>/dev/null | awk '!seen[$0]++' | head -n 5 | sed 's/^/kunit: /'
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
	echo "kunit: details in $RUNLOG"
elif [ "$total" -eq 0 ] || [ "$rc" -ne 0 ] || [ "$errors" -gt 0 ]; then
	echo "kunit: no valid results (kunit.py rc $rc; ${counts:-no summary}), see $RUNLOG"
	failed=1
fi
[ "$skipped" -eq 0 ] || echo "kunit: $skipped skipped"

if grep -aE "$BAD" "$KLOG" | grep -avF 'gpucore: caught' >"$KLOG.bad"; then
	echo "kunit: unexpected reports in the kernel log ($KLOG):"
	show "$KLOG.bad"
	failed=$((failed + 1))
fi
rm -f "$KLOG.bad"

summary "$passed" "$failed"
