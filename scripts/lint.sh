#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Static checks over the project's C sources and headers (tracked, and
# untracked but not ignored):
#   checkpatch   the kernel's checkpatch.pl --strict, also over Kbuild and
#                Kconfig files
#   kernel-doc   the kernel's kernel-doc in its strictest mode; any output
#                is a failure
#   sparse       scripts/modules.sh --sparse (C=2 W=1, fails on any warning)
#   compat       the kernel differences stay in the compat layer
#   debug-split  gpucore's .c files test no CONFIG_DRM_GPUCORE_DEBUG: the
#                debug-only code is in files Kbuild builds only with it
# Prints one line per check and ends with "lint: N passed, N failed"; full
# output goes to build/logs/lint-*.log. Exits non-zero if a check failed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

gc_deps_lint || exit 1
ksrc=$(gc_linux_src) || exit 1
cd "$GC_TOP" || exit 1

MAX_LINES=30
passed=0
failed=0

# files PATHSPEC...: existing tracked and untracked-but-not-ignored files.
files()
{
	git ls-files -co --exclude-standard -- "$@" | sort -u |
		while IFS= read -r f; do [ -f "$f" ] && printf '%s\n' "$f"; done
}

mapfile -t csrc < <(files '*.c' '*.h')
mapfile -t kbuild < <(files ':(glob)**/Kbuild' ':(glob)**/Kconfig')

# count N WORD: "1 WORD", "2 WORDs"
count()
{
	if [ "$1" -eq 1 ]; then echo "1 $2"; else echo "$1 $2s"; fi
}

# result NAME OK DETAIL LOG PROBLEMS: report one check. PROBLEMS holds the
# offending lines, of which at most MAX_LINES are printed.
result()
{
	local name=$1 ok=$2 detail=$3 log=$4 problems=$5 n
	if [ "$ok" = y ]; then
		echo "lint: $name ok ($detail)"
		passed=$((passed + 1))
		return
	fi
	n=$(printf '%s' "$problems" | grep -c '' || true)
	printf '%s\n' "$problems" | head -n "$MAX_LINES" | sed 's/^/  /'
	[ "$n" -gt "$MAX_LINES" ] && echo "  ... $((n - MAX_LINES)) more lines"
	echo "lint: $name FAILED ($detail), see ${log#"$GC_TOP"/}"
	failed=$((failed + 1))
}

# -- checkpatch -------------------------------------------------------------
#
# --no-tree: this is not a kernel tree. No check is ignored: in -f mode the
# patch-only checks (FILE_PATH_CHANGES, commit log) never run, and the SPDX
# checks fit this layout (// in .c, /* */ in .h). LINUX_VERSION_CODE stays on
# too: the code is meant to build in tree as well, so it tests for features,
# not versions.
# uapi/ holds userspace ABI headers. checkpatch recognises those by their
# in-tree path (include/uapi/) and then allows what userspace needs
# (__attribute__, __inline, c99 types, 1 << n), so they are checked under that
# path: a scratch directory holds include/uapi as a link to uapi/, and the
# names in the report are mapped back.
checkpatch()
{
	perl "$ksrc/scripts/checkpatch.pl" --strict --no-tree --show-types \
		--color=never -f "$@"
}

log=$GC_OUT/logs/lint-checkpatch.log
cp_files=()
uapi_files=()
user_files=()
for f in "${csrc[@]}" "${kbuild[@]}"; do
	case $f in
	uapi/*) uapi_files+=("$f") ;;
	# Userspace programs call libdrm, whose API is camelCase.
	tests/uapi/* | tests/reliability/* | tests/bench/agx_bench.c | examples/*) user_files+=("$f") ;;
	*) cp_files+=("$f") ;;
	esac
done
{
	[ ${#cp_files[@]} -eq 0 ] || checkpatch "${cp_files[@]}"
	[ ${#user_files[@]} -eq 0 ] || checkpatch --ignore CAMELCASE "${user_files[@]}"
	if [ ${#uapi_files[@]} -gt 0 ]; then
		scratch=$(mktemp -d)
		mkdir -p "$scratch/include"
		ln -s "$GC_TOP/uapi" "$scratch/include/uapi"
		(cd "$scratch" && checkpatch "${uapi_files[@]/#/include/}") |
			sed 's|include/uapi/|uapi/|g'
		rm -rf "$scratch"
	fi
} >"$log" 2>&1
nfiles=$(( ${#cp_files[@]} + ${#uapi_files[@]} + ${#user_files[@]} ))
# "total: 0 errors, 1 warnings, 2 checks, ..." per file
nprob=$(awk '/^total: [0-9]+ errors, [0-9]+ warnings/ {
		n += $2 + $4; if ($6 ~ /^[0-9]+$/) n += $6 } END { print n + 0 }' "$log")
# one line per problem: "file:line: TYPE:NAME: message"
problems=$(awk '
	/^(ERROR|WARNING|CHECK):/ { if (msg != "") print msg; msg = $0; next }
	/^#[0-9]+: FILE: / && msg != "" {
		f = $3; sub(/:$/, "", f); print f ": " msg; msg = ""; next }
	END { if (msg != "") print msg }' "$log")
if [ "$nprob" -eq 0 ] && [ -z "$problems" ] && grep -q '^total: ' "$log"; then
	result checkpatch y "$(count "$nfiles" file)" "$log" ""
else
	[ -n "$problems" ] || problems=$(tail -n 5 "$log")
	result checkpatch n "$(count "$nprob" problem) in $(count "$nfiles" file)" \
		"$log" "$problems"
fi

# -- kernel-doc ---------------------------------------------------------------
#
# 6.1's kernel-doc has no -Wall/-Wreturn/-Wshort-desc: -v turns on the same
# extra checks (missing "Return:" sections, missing short descriptions,
# "contents before sections", variadic argument names) and also prints an
# "info: Scanning doc for" line per comment, which is not a problem.
log=$GC_OUT/logs/lint-kernel-doc.log
env -u KBUILD_VERBOSE -u KCFLAGS -u KDOC_WERROR \
	perl "$ksrc/scripts/kernel-doc" -none -v "${csrc[@]}" >"$log" 2>&1
problems=$(grep -v -E ': info: Scanning doc for |^[0-9]+ (warnings|errors)$' "$log")
if [ -z "$problems" ]; then
	result kernel-doc y "$(count ${#csrc[@]} file)" "$log" ""
else
	nprob=$(printf '%s\n' "$problems" | grep -c -E ': (warning|error): ' || true)
	[ "$nprob" -gt 0 ] || nprob=$(printf '%s\n' "$problems" | grep -c '')
	result kernel-doc n "$(count "$nprob" problem) in $(count ${#csrc[@]} file)" \
		"$log" "$problems"
fi

# -- sparse -------------------------------------------------------------------
log=$GC_OUT/logs/lint-sparse.log
if "$GC_TOP/scripts/modules.sh" --sparse >"$log" 2>&1; then
	result sparse y "C=2 W=1 build" "$log" ""
else
	problems=$(grep -E '(warning|error):' "$log" | sed "s|$GC_TOP/||g" | sort -u)
	[ -n "$problems" ] || problems=$(tail -n 10 "$log")
	nprob=$(printf '%s\n' "$problems" | grep -c -E '(warning|error):' || true)
	result sparse n "$(count "$nprob" diagnostic)" "$log" "$problems"
fi

# -- sparse, the other way round ------------------------------------------------
#
# The right to signal a job's done fence is private to gpucore (__private):
# sparse must report a driver that reaches for it (tests/lint/).
log=$GC_OUT/logs/lint-sparse-private.log
make -C "$(gc_kdir)" M="$GC_TOP/tests/lint" C=2 modules >"$log" 2>&1 || true
make -s -C "$(gc_kdir)" M="$GC_TOP/tests/lint" clean >/dev/null 2>&1 || true
if grep -q 'private_done.c:[0-9]*:[0-9]*: warning: dereference of noderef expression' "$log"; then
	result sparse-private y "gc_job.done is reported" "$log" ""
else
	result sparse-private n "no report of the private gc_job.done" "$log" "$(tail -n 5 "$log")"
fi

# -- compat ---------------------------------------------------------------------
#
# Every difference between the kernels lives in <gpucore/compat.h> (with
# <gpucore/compat_ttm.h>, its part for TTM drivers) and the
# probes of gpucore/compat/: no other file tests a probe's GC_HAVE_* switch
# or the kernel version (checkpatch reports LINUX_VERSION_CODE too, but not
# KERNEL_VERSION or a probe).
log=$GC_OUT/logs/lint-compat.log
compat_layer='gpucore/include/gpucore/compat(_ttm)?\.h|gpucore/compat/'
mapfile -t compat_files < <(printf '%s\n' "${csrc[@]}" "${kbuild[@]}" | grep -vE "^($compat_layer)")
grep -nE '\<(GC_HAVE_[A-Z0-9_]+|LINUX_VERSION_CODE|KERNEL_VERSION)\>' \
	"${compat_files[@]}" >"$log" 2>&1
problems=$(cat "$log")
if [ -z "$problems" ]; then
	result compat y "$(count ${#compat_files[@]} file) outside the layer" "$log" ""
else
	result compat n "$(count "$(grep -c "" <<<"$problems")" test) outside the layer" \
		"$log" "$problems"
fi

# -- debug-split ------------------------------------------------------------------
#
# The debug build differs from the production one by which files Kbuild
# builds (track.c, handle_debug.c) and by the inline helpers of the internal
# headers, never by a conditional in the middle of gpucore's code.
log=$GC_OUT/logs/lint-debug-split.log
mapfile -t core_files < <(files 'gpucore/*.c')
grep -nE '^#\s*(if|ifdef|ifndef|elif).*CONFIG_DRM_GPUCORE_DEBUG' "${core_files[@]}" >"$log" 2>&1
problems=$(cat "$log")
if [ -z "$problems" ]; then
	result debug-split y "$(count ${#core_files[@]} file) without a debug conditional" "$log" ""
else
	result debug-split n "$(count "$(grep -c "" <<<"$problems")" conditional) in gpucore/*.c" \
		"$log" "$problems"
fi

echo "lint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
