#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the HTML API reference (build/docs/html) with Doxygen from the
# kernel-doc comments of the public headers, the core's .c files and the
# uapi headers: the library's API and the drivers' ABI (the backends are
# users of the API, documented in their sources). Documentation/Doxyfile holds the settings;
# scripts/kdoc2doxygen.py turns kernel-doc into Doxygen syntax on the fly.
# Fails when Doxygen has any warning (build/docs/doxygen-warnings.log).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

gc_deps_docs
cd "$GC_TOP"

docs=build/docs
warnlog=$docs/doxygen-warnings.log
log=$GC_OUT/logs/docs.log

# The files to document: tracked and untracked-but-not-ignored sources.
inputs=()
while IFS= read -r f; do
	[ -f "$f" ] && inputs+=("$f")
done < <(git ls-files -co --exclude-standard -- \
	':(glob)gpucore/include/gpucore/*.h' \
	':(glob)gpucore/*.c' \
	':(glob)uapi/drm/*.h' \
	':(exclude,glob)**/tests/**' \
	':(exclude,glob)**/*.mod.c' | sort -u)
[ ${#inputs[@]} -gt 0 ] || { echo "docs: no source files found" >&2; exit 1; }

rm -rf "$docs"
mkdir -p "$docs"
# The Doxyfile, with INPUT replaced by the list above; doxygen reads the
# configuration from stdin, and every path in it is relative to here.
if ! { cat Documentation/Doxyfile; echo "INPUT = ${inputs[*]}"; } |
	doxygen - >"$log" 2>&1; then
	tail -20 "$log" >&2
	echo "docs: doxygen failed, see ${log#"$GC_TOP"/}" >&2
	exit 1
fi

# Warnings name files by absolute path: make them relative to the top.
touch "$warnlog"
sed -i "s|$GC_TOP/||g" "$warnlog"
# Doxygen's own complaints (configuration, the input filter) go to its
# output rather than to the log: count them as warnings too.
grep -E -i 'warning|error|kdoc2doxygen' "$log" | sed "s|$GC_TOP/||g" >>"$warnlog" || true

nwarn=$(grep -c -E ': (warning|error)|kdoc2doxygen' "$warnlog" || true)
if [ -s "$warnlog" ]; then
	[ "$nwarn" -gt 0 ] || nwarn=$(wc -l <"$warnlog")
	head -30 "$warnlog" >&2
	echo "docs: $docs/html/index.html, $nwarn warnings, see $warnlog" >&2
	exit 1
fi
echo "docs: $docs/html/index.html, 0 warnings"
