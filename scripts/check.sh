#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The whole test suite: builds (W=1, debug on and off, the cleanup.h
# fallback), lint (checkpatch --strict, kernel-doc, sparse), the Doxygen
# reference, the coccinelle rules (their own tests, and the project clean), KUnit on UML and on x86_64, the VM run on the x86_64 debug
# kernel, and the VM run on Debian's kernel; then the same on the newer
# kernels: Debian's 6.12 (modules, its stock image in the VM) and 7.3 built
# from source (modules, KUnit on UML, the debug VM), and DKMS on 6.1 and 6.12.
# GPUCORE_KERNELS narrows the kernels (default "6.1 6.12 7.3"); the kernel-
# independent stages (lint, docs, coccicheck) always run.
# Every stage runs even if an earlier one failed; the last line is
# "N passed, N failed" over all of them.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

passed=0
failed=0
start=$SECONDS

# stage NAME CMD...: run a stage that ends with "NAME: N passed, N failed".
stage()
{
	local name=$1 out line p f rc
	shift
	out=$GC_OUT/logs/check-$name.out
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[a-z0-9.-]+: [0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	if [ -n "$line" ]; then
		p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
		f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	else
		p=0
		f=1
	fi
	# A stage that failed without counting a failure still counts one.
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	passed=$((passed + p))
	failed=$((failed + f))
}

# Build stage: each configuration is one check.
builds()
{
	local out p f
	out=$(scripts/modules.sh --matrix 2>&1)
	echo "$out"
	p=$(echo "$out" | grep -c ': ok against' || true)
	f=$((3 - p))
	echo "modules: $p passed, $f failed"
	[ "$f" -eq 0 ]
}

docs()
{
	if scripts/docs.sh; then
		echo "docs: 1 passed, 0 failed"
	else
		echo "docs: 0 passed, 1 failed"
		return 1
	fi
}

# kernel SERIES: SERIES is one of the kernels to check.
kernel()
{
	[[ " ${GPUCORE_KERNELS:-6.1 6.12 7.3} " == *" $1 "* ]]
}

cd "$GC_TOP"
kernel 6.1 && stage modules builds
stage lint scripts/lint.sh
stage docs docs
stage coccicheck scripts/coccicheck.sh
if kernel 6.1; then
	stage kunit scripts/kunit.sh
	stage kunit-x86-64 scripts/kunit.sh --arch x86_64
	# The user-space tests again on the kernel the x86_64 suites just ran on.
	stage e2e-debug scripts/e2e.sh --debug
	# The VM loads what the default configuration builds.
	stage e2e bash -c 'scripts/modules.sh >/dev/null && scripts/e2e.sh'
fi
# Debian's 6.12 (bookworm-backports): the modules, then its stock image in the VM.
if kernel 6.12; then
	stage modules-6.12 scripts/modules.sh --kernel 6.12
	stage e2e-6.12 scripts/e2e.sh --kernel 6.12
fi
# 7.3 (trixie-backports' source): the modules against Debian's configuration,
# KUnit on UML, then the user-space tests on an x86_64 debug kernel.
if kernel 7.3; then
	stage modules-7.3 scripts/modules.sh --kernel 7.3
	stage kunit-7.3 scripts/kunit.sh --kernel 7.3
	stage e2e-debug-7.3 scripts/e2e.sh --debug --kernel 7.3
fi
# DKMS, as vendors ship: on the kernels whose headers Debian packages.
dkms=()
for k in 6.1 6.12; do
	kernel $k && dkms+=("$k")
done
[ ${#dkms[@]} -eq 0 ] || stage dkms scripts/dkms.sh "${dkms[@]}"

echo "check: $(( (SECONDS - start) / 60 )) min $(( (SECONDS - start) % 60 )) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
