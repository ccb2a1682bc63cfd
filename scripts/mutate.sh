#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Mutation sweep: does the KUnit suite catch single-line changes to the lines
# that keep objects alive?
#
#   scripts/mutate.sh [LIST]     every mutation of LIST (scripts/mutations.txt)
#   scripts/mutate.sh --check [LIST]
#                                only check that each mutation applies
#
# Each mutation (see the format in scripts/mutations.txt) is applied alone to
# a copy of the tree, never to this checkout, and the KUnit suites it names
# run on UML (scripts/kunit.sh in the copy). A failed or crashed case, a
# timeout or an unexpected kernel report kills it; a mutation whose kernel
# does not build is counted apart. First the unmutated copy must pass the
# same suites. Prints one line per mutation, the survivors, then
# "mutate: N killed, N survived". Exit status 0 when nothing survived.
#
# The sweep builds and boots a test kernel per mutation: it uses a cache of
# its own (GPUCORE_CACHE, default $GPUCORE_MUTATE_DIR/cache), so it does not
# hold the shared KUnit lock, while ccache stays the shared one (CCACHE_DIR,
# default the default cache's). The copy and the logs live in
# GPUCORE_MUTATE_DIR (default /tmp/gpucore-mutate-<user>-<checkout>);
# results also go to build/logs/mutate.log. GPUCORE_KUNIT_TIMEOUT bounds
# each boot (default 300 s here).
set -u -o pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)

CHECK=n
if [ "${1:-}" = --check ]; then
	CHECK=y
	shift
fi
LIST=${1:-$TOP/scripts/mutations.txt}
[ -f "$LIST" ] || { echo "mutate: no list $LIST" >&2; exit 2; }

WORK=${GPUCORE_MUTATE_DIR:-${TMPDIR:-/tmp}/gpucore-mutate-$(id -un)-$(basename "$TOP")}
SHARED=${XDG_CACHE_HOME:-$HOME/.cache}/gpucore
export CCACHE_DIR=${CCACHE_DIR:-$SHARED/ccache}
export GPUCORE_CACHE=${GPUCORE_CACHE:-$WORK/cache}
export GPUCORE_KUNIT_TIMEOUT=${GPUCORE_KUNIT_TIMEOUT:-300}
ORIG=$WORK/orig
TREE=$WORK/tree
LOGS=$WORK/logs
RESULT=$TOP/build/logs/mutate.log

# apply FILE PATTERN REPLACEMENT NTH: mutate FILE in place; prints the line
# number, or an error on stderr.
apply()
{
	python3 - "$@" <<-'EOF'
	import sys
	path, pattern, repl, nth = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
	lines = open(path).read().split("\n")
	hits = [i for i, l in enumerate(lines) if pattern in l]
	if nth:
	    n = int(nth)
	    if n < 1 or n > len(hits):
	        sys.exit("pattern occurs on %d lines, no line %d" % (len(hits), n))
	    i = hits[n - 1]
	elif len(hits) != 1:
	    sys.exit("pattern occurs on %d lines" % len(hits))
	else:
	    i = hits[0]
	lines[i] = lines[i].replace(pattern, repl, 1)
	open(path, "w").write("\n".join(lines))
	print(i + 1)
	EOF
}

# The mutations: FILE, PATTERN, REPLACEMENT, FILTER, NTH per entry.
M_FILE=() M_PAT=() M_REP=() M_FILTER=() M_NTH=()
while IFS= read -r line || [ -n "$line" ]; do
	case $line in '' | '#'*) continue ;; esac
	# Fields are separated by "@@", blanks around them dropped; an empty
	# replacement stays an empty field (the separator is not a blank).
	IFS=$'\x1f' read -ra fields <<<"$(sed -e 's/[[:space:]]*@@[[:space:]]*/\x1f/g' \
		-e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' <<<"$line")"
	if [ ${#fields[@]} -lt 4 ] || [ ${#fields[@]} -gt 5 ]; then
		echo "mutate: bad line in $LIST: $line" >&2
		exit 2
	fi
	M_FILE+=("${fields[0]}")
	M_PAT+=("${fields[1]}")
	M_REP+=("${fields[2]}")
	M_FILTER+=("${fields[3]}")
	M_NTH+=("${fields[4]:-}")
done <"$LIST"
N=${#M_FILE[@]}
[ "$N" -gt 0 ] || { echo "mutate: no mutation in $LIST" >&2; exit 2; }

# A pristine copy of the checkout as it is now (uncommitted changes
# included), then the working copy; rsync only rewrites what differs, so
# each build recompiles only the files that changed.
mkdir -p "$ORIG" "$TREE" "$LOGS" "$TOP/build/logs"
rsync -a --delete --exclude=/.git --exclude=/build "$TOP/" "$ORIG/" || exit 2
restore() { rsync -a --delete --exclude=/build "$ORIG/" "$TREE/"; }

bad=0
for ((i = 0; i < N; i++)); do
	restore || exit 2
	if ! err=$(apply "$TREE/${M_FILE[$i]}" "${M_PAT[$i]}" "${M_REP[$i]}" "${M_NTH[$i]}" 2>&1); then
		echo "mutate: ${M_FILE[$i]}: '${M_PAT[$i]}': ${err##*$'\n'}" >&2
		bad=$((bad + 1))
	fi
done
restore || exit 2
if [ "$bad" -gt 0 ]; then
	echo "mutate: $bad of $N mutations do not apply to this tree; fix $LIST"
	exit 2
fi
if [ "$CHECK" = y ]; then
	echo "mutate: all $N mutations apply"
	exit 0
fi

# run FILTER LOG: the suites on the current copy; 0 if they pass.
run()
{
	(cd "$TREE" && GPUCORE_KUNIT_FILTER=$1 scripts/kunit.sh) >"$2" 2>&1
}

# The unmutated tree must pass every suite the list names.
filters=$(printf '%s\n' "${M_FILTER[@]}" | tr ' ' '\n' | awk 'NF && !seen[$0]++' | tr '\n' ' ')
echo "mutate: $N mutations; baseline: ${filters% } (cache $GPUCORE_CACHE)"
if ! run "${filters% }" "$LOGS/baseline.log"; then
	echo "mutate: the unmutated tree fails, see $LOGS/baseline.log:"
	tail -n 5 "$LOGS/baseline.log" | sed 's/^/  /'
	exit 2
fi

killed=0 survived=0 unbuilt=0
survivors=()
{
	echo "mutate: $(date -u +%FT%TZ) $(git -C "$TOP" describe --always --dirty 2>/dev/null)"
} >"$RESULT"
for ((i = 0; i < N; i++)); do
	restore || exit 2
	ln=$(apply "$TREE/${M_FILE[$i]}" "${M_PAT[$i]}" "${M_REP[$i]}" "${M_NTH[$i]}") || exit 2
	what="${M_FILE[$i]}:$ln '${M_PAT[$i]}' -> '${M_REP[$i]}'"
	log=$LOGS/$((i + 1)).log
	start=$SECONDS
	if run "${M_FILTER[$i]}" "$log"; then
		verdict=survived
		survived=$((survived + 1))
		survivors+=("$what [${M_FILTER[$i]}]")
	elif grep -q 'building the test kernel failed' "$log"; then
		verdict="not built"
		unbuilt=$((unbuilt + 1))
	else
		verdict=killed
		killed=$((killed + 1))
	fi
	printf 'mutate: [%d/%d] %-9s %s (%ds, %s)\n' $((i + 1)) "$N" "$verdict" "$what" \
		$((SECONDS - start)) "$(tail -n 1 "$log")" | tee -a "$RESULT"
done
restore

[ "$unbuilt" -eq 0 ] || echo "mutate: $unbuilt did not build (counted neither way)" | tee -a "$RESULT"
for s in "${survivors[@]}"; do
	echo "mutate: survivor: $s"
done | tee -a "$RESULT"
echo "mutate: $killed killed, $survived survived" | tee -a "$RESULT"
[ "$survived" -eq 0 ] && [ "$unbuilt" -eq 0 ]
