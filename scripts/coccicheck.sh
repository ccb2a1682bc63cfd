#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The semantic patches in scripts/coccinelle/ find the failure catalogue's
# unsafe patterns in C drivers (Documentation/coccinelle.rst).
#
#   scripts/coccicheck.sh             check the rules: each one against its
#                                     test files (the hits in
#                                     tests/RULE_pos*.c must be exactly the
#                                     lines marked "expect: RULE", the
#                                     tests/RULE_neg*.c files must give none),
#                                     then every rule over the project's own
#                                     C sources, which must give none
#   scripts/coccicheck.sh --tree DIR [RULE...]
#                                     run the rules (all, or those named)
#                                     over the .c files of another tree (a
#                                     gpucore/ directory in it is this
#                                     project and is skipped) and print what
#                                     they find
#
# Rules that learn facts from function bodies (they declare "virtual infer")
# are first run in -D infer mode over the same files until no new fact
# appears; the facts reach the checking run through GC_COCCI_FACTS.
# Prints one line per check and ends with "coccicheck: N passed, N failed";
# spatch's own messages go to build/logs/coccicheck-*.log.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage()
{
	echo "usage: $0 [--tree DIR [RULE...]]" >&2
	exit 2
}

tree=
only=()
if [ $# -gt 0 ]; then
	if [ "$1" != --tree ] || [ $# -lt 2 ]; then
		usage
	fi
	tree=$2
	only=("${@:3}")
fi

# spatch loads libpython through its unversioned name, which only the
# -dev package installs: without it every rule fails on a fresh machine.
gc_need coccinelle libpython3-dev
cd "$GC_TOP"

COCCI=scripts/coccinelle
JOBS=$(nproc)
# Files per spatch process: few enough to spread over the CPUs, enough to
# keep the start-up cost (about 0.1 s) small.
BATCH=40
SPATCH=(spatch --very-quiet --no-includes --include-headers --timeout 120)
passed=0
failed=0
start=$SECONDS

rules=("$COCCI"/*.cocci)
if [ ${#only[@]} -gt 0 ]; then
	rules=()
	for r in "${only[@]}"; do
		[ -f "$COCCI/$r.cocci" ] || { echo "coccicheck: no rule $r" >&2; exit 2; }
		rules+=("$COCCI/$r.cocci")
	done
fi

# spatch_over RULE MODE LIST: run RULE with -D MODE over the NUL-separated
# file list LIST, in parallel batches; stdout is spatch's output.
spatch_over()
{
	local rule=$1 mode=$2 list=$3 log
	log=$GC_OUT/logs/coccicheck-$(basename "$rule" .cocci).log
	[ -s "$list" ] || return 0
	xargs -0 -n "$BATCH" -P "$JOBS" "${SPATCH[@]}" -D "$mode" \
		--sp-file "$rule" <"$list" 2>>"$log" ||
		echo "$rule" >>"$FAILED"
}

# only_with LIST OUT WORD...: the files of LIST that contain one of the
# words, or all of them when no word is given, into OUT.
only_with()
{
	local list=$1 out=$2 words
	shift 2
	if [ $# -eq 0 ]; then
		cp "$list" "$out"
		return
	fi
	words=$(mktemp)
	printf '%s\n' "$@" | sed '/^$/d' | sort -u >"$words"
	tr '\0' '\n' <"$list" | xargs -r -d '\n' grep -lwF -f "$words" -- |
		tr '\n' '\0' >"$out" || true
	rm -f "$words"
}

# header RULE KEY: the words of the rule's "// KEY: words" line. A rule
# names there the identifiers without which a file cannot match, so the
# files without them are not even parsed.
header()
{
	sed -n "s|^// $2: ||p" "$1" | tr ' ' '\n'
}

# infer RULE LIST: the facts RULE learns over LIST, as "name:index" words.
# After the first pass only the files that call a newly learnt function can
# teach something new.
infer()
{
	local rule=$1 list=$2 facts='' new pass=1 sub words
	grep -q '^virtual infer' "$rule" || return 0
	sub=$(mktemp)
	mapfile -t words < <(header "$rule" Infer-files)
	only_with "$list" "$sub" "${words[@]}"
	while [ $pass -le 10 ]; do
		new=$(GC_COCCI_FACTS="$facts" spatch_over "$rule" infer "$sub" |
			sed -n 's/^GC_FACT //p' | sort -u |
			grep -vxF -f <(tr ' ' '\n' <<<"$facts" | sed '/^$/d') || true)
		[ -n "$new" ] || break
		facts=$(printf '%s\n%s\n' "$facts" "$new" | tr ' ' '\n' |
			sed '/^$/d' | sort -u | tr '\n' ' ')
		# The next pass: files that mention one of the new names.
		mapfile -t words < <(cut -d: -f1 <<<"$new")
		only_with "$list" "$sub" "${words[@]}"
		pass=$((pass + 1))
	done
	rm -f "$sub"
	echo "$facts"
}

# hits RULE LIST: "file:line: message" for every report of RULE over LIST.
# The facts learnt on the way are kept in build/logs/coccicheck-RULE.facts.
hits()
{
	local rule=$1 list=$2 facts sub words
	facts=$(infer "$rule" "$list")
	tr ' ' '\n' <<<"$facts" | sed '/^$/d' \
		>"$GC_OUT/logs/coccicheck-$(basename "$rule" .cocci).facts"
	sub=$(mktemp)
	# The files that can match: those naming a required identifier or a
	# function learnt above.
	mapfile -t words < <(header "$rule" Check-files)
	[ ${#words[@]} -eq 0 ] ||
		mapfile -t -O ${#words[@]} words < <(tr ' ' '\n' <<<"$facts" | cut -d: -f1)
	only_with "$list" "$sub" "${words[@]}"
	GC_COCCI_FACTS="$facts" spatch_over "$rule" report "$sub" |
		sed -nE 's/^([^:]+):([0-9]+):[0-9]+-[0-9]+: (.*)$/\1:\2: \3/p' |
		sort -t: -k1,1 -k2,2n | uniq
	rm -f "$sub"
}

# spatch_failed RULE: whether a spatch run of RULE failed.
spatch_failed()
{
	grep -qxF "$1" "$FAILED"
}

# result NAME OK DETAIL [PROBLEMS]: report one check.
result()
{
	local name=$1 ok=$2 detail=$3 problems=${4:-}
	if [ "$ok" = y ]; then
		echo "coccicheck: $name ok ($detail)"
		passed=$((passed + 1))
	else
		[ -z "$problems" ] || printf '%s\n' "$problems" | sed 's/^/  /'
		echo "coccicheck: $name FAILED ($detail)"
		failed=$((failed + 1))
	fi
}

# nul FILE...: the files as a NUL-separated list in a temporary file.
nul()
{
	local f
	f=$(mktemp)
	[ $# -eq 0 ] || printf '%s\0' "$@" >"$f"
	echo "$f"
}

# check_tests RULE: the rule against its own positive and negative files.
check_tests()
{
	local rule=$1 name pos neg all list got want diff n
	name=$(basename "$rule" .cocci)
	mapfile -t pos < <(compgen -G "$COCCI/tests/${name}_pos*.c" | sort)
	mapfile -t neg < <(compgen -G "$COCCI/tests/${name}_neg*.c" | sort)
	if [ ${#pos[@]} -eq 0 ] || [ ${#neg[@]} -eq 0 ]; then
		result "$name tests" n "no ${name}_pos*.c or ${name}_neg*.c in $COCCI/tests"
		return
	fi
	# Facts are learnt from both kinds of file, as over a real tree.
	all=$(nul "${pos[@]}" "${neg[@]}")
	got=$(hits "$rule" "$all")
	rm -f "$all"
	if spatch_failed "$rule"; then
		result "$name tests" n "spatch failed, see build/logs/coccicheck-$name.log"
		return
	fi

	want=$(grep -nE "expect: $name( |\*/|$)" "${pos[@]}" /dev/null |
		cut -d: -f1,2 | sort -u)
	list=$(grep -E "^$COCCI/tests/${name}_pos" <<<"$got" | cut -d: -f1,2 | sort -u || true)
	diff=$(diff <(echo "$want") <(echo "$list") |
		sed -n 's/^< /missing:    /p; s/^> /unexpected: /p' || true)
	n=$(grep -c . <<<"$want" || true)
	if [ -z "$diff" ]; then
		result "$name positive" y "$n expected hits in ${#pos[@]} files"
	else
		result "$name positive" n "$n expected hits in ${#pos[@]} files" "$diff"
	fi

	list=$(grep -E "^$COCCI/tests/${name}_neg" <<<"$got" || true)
	n=$(grep -c . <<<"$list" || true)
	if [ "$n" -eq 0 ]; then
		result "$name negative" y "no hits in ${#neg[@]} files"
	else
		result "$name negative" n "$n hits in ${#neg[@]} files" "$list"
	fi
}

# check_project RULE LIST NFILES: the rule over the project's sources.
check_project()
{
	local rule=$1 list=$2 nfiles=$3 name got n
	name=$(basename "$rule" .cocci)
	got=$(hits "$rule" "$list")
	n=$(grep -c . <<<"$got" || true)
	if spatch_failed "$rule"; then
		result "$name project" n "spatch failed, see build/logs/coccicheck-$name.log"
	elif [ "$n" -eq 0 ]; then
		result "$name project" y "no hits in $nfiles files"
	else
		result "$name project" n "$n hits in $nfiles files" "$got"
	fi
}

# run_tree DIR: every rule over another tree; the hits are printed.
run_tree()
{
	local dir=$1 list rule name got n nfiles t0 total=0
	dir=$(cd "$dir" && pwd)
	list=$(mktemp)
	find "$dir" -path "$dir/gpucore" -prune -o -name '*.c' -type f -print0 |
		sort -z >"$list"
	nfiles=$(tr -cd '\0' <"$list" | wc -c)
	for rule in "${rules[@]}"; do
		name=$(basename "$rule" .cocci)
		t0=$SECONDS
		got=$(hits "$rule" "$list" | sed "s|^$dir/||")
		n=$(grep -c . <<<"$got" || true)
		[ "$n" -eq 0 ] || printf '%s\n' "$got" | sed "s/^/$name: /"
		total=$((total + n))
		if spatch_failed "$rule"; then
			result "$name" n "$n hits, but spatch failed on some files, see build/logs/coccicheck-$name.log"
		else
			result "$name" y "$n hits in $nfiles files, $((SECONDS - t0)) s"
		fi
	done
	rm -f "$list"
	echo "coccicheck: $total hits in $dir"
}

rm -f "$GC_OUT"/logs/coccicheck-*.log "$GC_OUT"/logs/coccicheck-*.facts
FAILED=$(mktemp)
trap 'rm -f "$FAILED"' EXIT
if [ -n "$tree" ]; then
	[ -d "$tree" ] || { echo "coccicheck: $tree is not a directory" >&2; exit 2; }
	run_tree "$tree"
else
	for rule in "${rules[@]}"; do
		check_tests "$rule"
	done
	# The project's own code; *.mod.c files are generated by kbuild.
	mapfile -d '' -t src < <(find gpucore backends examples tests \
		\( -name '*.c' -o -name '*.h' \) ! -name '*.mod.c' -type f -print0 |
		sort -z)
	list=$(nul "${src[@]}")
	for rule in "${rules[@]}"; do
		check_project "$rule" "$list" ${#src[@]}
	done
	rm -f "$list"
fi

echo "coccicheck: $(( SECONDS - start )) s"
echo "coccicheck: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
