#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Benchmarks: what gpucore's safety costs against the raw kernel primitives
# it wraps, measured in Debian's stock kernel under qemu.
#
#   scripts/bench.sh                build, boot, measure; prints the table
#   scripts/bench.sh --kernel 6.12  the same in Debian's stock 6.12 kernel
#                                   (scripts/kernels.sh fetches it)
#   scripts/bench.sh --kernel 7.3   the same in a production 7.3 kernel
#                                   built from Debian's source (scripts/
#                                   kunit.sh --kernel 7.3 --arch bench);
#                                   "make bench" runs all three, one table
#                                   each
#   scripts/bench.sh --update-docs  also copies the table and the plot to
#                                   Documentation/bench/ and the table into
#                                   Documentation/benchmarks.rst, between
#                                   the markers of that kernel series
#
# It builds its own copies of the sources under build/bench/ (never in the
# source tree): gpucore, the AGX driver and the gc_bench module of
# tests/bench/, once without debug tracking (the production configuration,
# "off") and once with it ("on"). The VM (tests/bench/init) loads each
# build in turn, lets gc_bench run its measures, A and B interleaved round
# by round, and runs agx_bench through libdrm. Out of the serial log
# (build/logs/bench.log) come build/bench/results.txt and bench.png.
#
# Each measure that produced figures passes; a target missed is a verdict
# in the table, not a failure. A kernel log free of warnings is one more
# check. The last line is "bench: N passed, N failed".
#
# Environment: GPUCORE_BENCH_ROUNDS (7), GPUCORE_BENCH_INFLIGHT_ROUNDS (3),
# GPUCORE_BENCH_SCALE (percentage of the default operation counts, 100),
# GPUCORE_BENCH_ITERS (agx_bench round trips per round, 200),
# GPUCORE_BENCH_TIMEOUT (the VM's time limit in seconds, 900),
# GPUCORE_BENCH_CPUS (the VM's CPUs, 1), GPUCORE_BENCH_CLOCK: "icount" (the
# default: qemu counts instructions, one per nanosecond of guest time, so the
# figures are instruction counts that the host's load does not disturb) or
# "real" (the host's clock, as fast as TCG or KVM runs).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/vm.sh
. "$(dirname "$0")/vm.sh"

UPDATE_DOCS=n
SERIES=
while [ $# -gt 0 ]; do
	case "$1" in
	--update-docs) UPDATE_DOCS=y ;;
	--kernel) SERIES=${2:-}; shift ;;
	*) echo "usage: $0 [--kernel 6.12|7.3] [--update-docs]" >&2; exit 2 ;;
	esac
	shift
done
case "$SERIES" in
"" | 6.12 | 7.3) ;;
*) echo "bench: the kernels are 6.1 (the default), 6.12 and 7.3" >&2; exit 2 ;;
esac

ROUNDS=${GPUCORE_BENCH_ROUNDS:-7}
INFLIGHT_ROUNDS=${GPUCORE_BENCH_INFLIGHT_ROUNDS:-3}
SCALE=${GPUCORE_BENCH_SCALE:-100}
ITERS=${GPUCORE_BENCH_ITERS:-200}
TIMEOUT=${GPUCORE_BENCH_TIMEOUT:-900}
CPUS=${GPUCORE_BENCH_CPUS:-1}
CLOCK=${GPUCORE_BENCH_CLOCK:-icount}

# One build and log directory per kernel, so that the tables stay apart.
B=$GC_OUT/bench${SERIES:+-$SERIES}
ROOT=$B/root
INITRD=$B/initramfs.cpio
LOG=$GC_OUT/logs/bench${SERIES:+-$SERIES}.log
RESULTS=$B/results.txt
PLOT=$B/bench.png
DOCS=$GC_TOP/Documentation
CONFIGS="off on"
# The measures every configuration must produce, in table order.
KEYS="ref_bo ref_fence fence job_1 job_8 job_64 job_512 inflight_gc inflight_raw agx_submit_wait"

die()
{
	echo "bench: FAIL setup: $*"
	echo "bench: 0 passed, 1 failed"
	exit 1
}

# copy_sources DIR: the sources, without build products or anything under
# build/, synchronised into DIR; build products already in DIR stay, so
# that a second run rebuilds only what changed.
copy_sources()
{
	mkdir -p "$1"
	rsync -a --delete --exclude=/.git --exclude=/build --exclude=/Documentation \
		--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
		--exclude='.*.cmd' --exclude='*.o.d' --exclude='.*.d' --exclude=modules.order \
		--exclude=Module.symvers "$GC_TOP/" "$1/"
}

# build CFG DEBUG: gpucore, the AGX driver and gc_bench in build/bench/CFG/src.
build()
{
	local cfg=$1 debug=$2 src=$B/$1/src log=$GC_OUT/logs/bench-modules-$1.log

	copy_sources "$src"
	if ! make -C "$KDIR" M="$src" W=1 KCFLAGS=-Werror \
		CONFIG_DRM_GPUCORE=m CONFIG_DRM_GPUCORE_DEBUG="$debug" \
		CONFIG_DRM_GPUCORE_AGX=m CONFIG_DRM_GPUCORE_BENCH=m modules >"$log" 2>&1; then
		grep -E 'error|warning' "$log" | head -20 >&2
		die "building the modules (debug tracking $cfg), see $log"
	fi
	[ -f "$src/tests/bench/gc_bench.ko" ] ||
		die "gc_bench.ko not built: is tests/bench/ in the top-level Kbuild?"
	gc_vm_check_vermagic "$V" "$src/gpucore/gpucore.ko" "$src/backends/agx/gpucore_agx.ko" \
		"$src/tests/bench/gc_bench.ko" || die "modules not built for $V"
}

stage()
{
	local cfg src

	gc_vm_root "$ROOT" "$GC_TOP/tests/bench/init"
	gc_vm_stock_modules ${BASE:+-b "$BASE"} "$ROOT" "$V" drm gpu-sched drm_shmem_helper vgem
	for cfg in $CONFIGS; do
		src=$B/$cfg/src
		gc_vm_add_files "$ROOT" "bench/$cfg" "$src/gpucore/gpucore.ko" \
			"$src/backends/agx/gpucore_agx.ko" "$src/tests/bench/gc_bench.ko"
	done
	gc_vm_static_prog "$B/agx_bench" "$GC_TOP/tests/bench/agx_bench.c" -- \
		-I"$GC_TOP/uapi/drm" -I"$GC_TOP/tests/uapi" || die "cannot build agx_bench"
	gc_vm_add_files "$ROOT" bin "$B/agx_bench"
	gc_vm_pack "$ROOT" "$INITRD"
}

# The figures of the serial log: "CFG KEY A_MIN A_MED A_MAX B_MIN B_MED B_MAX".
figures() { sed -n 's/^bench: result //p' "$LOG"; }
profiles() { sed -n 's/^bench: profile //p' "$LOG"; }

# table HEADER FIGURES PROFILES: the text of results.txt.
table()
{
	awk -v rounds="$ROUNDS" -v irounds="$INFLIGHT_ROUNDS" -v clock="$CLOCK" -v header="$1" '
	function row(cfg, key, label, alab, blab, target,    f, ratio, verdict, tg) {
		if (!((cfg, key) in med_a)) {
			printf "%-46s %-3s  %s\n", label, cfg, "(no figures)"
			return
		}
		ratio = med_b[cfg, key] > 0 ? med_a[cfg, key] / med_b[cfg, key] : 0
		tg = (cfg == "off" && target != "") ? "<= " target "x" : "report"
		verdict = "-"
		if (cfg == "off" && target != "")
			verdict = ratio <= target + 0 ? "met" : "MISSED"
		printf "%-46s %-3s  %-10s %-22s %-10s %-22s %6.2f  %-9s %s\n", label, cfg,
			alab, fig[cfg, key, "a"], blab, fig[cfg, key, "b"], ratio, tg, verdict
	}
	# Per-BO cost: the extra time of an N-BO job over a 1-BO job, per extra BO.
	function perbo(cfg, side, n) {
		if (side == "a")
			return (med_a[cfg, "job_" n] - med_a[cfg, "job_1"]) / (n - 1)
		return (med_b[cfg, "job_" n] - med_b[cfg, "job_1"]) / (n - 1)
	}
	function perbo_row(cfg,    a64, a512, b512, flat, ratio, tg, verdict) {
		if (!((cfg, "job_1") in med_a) || !((cfg, "job_64") in med_a) ||
		    !((cfg, "job_512") in med_a)) {
			printf "%-46s %-3s  %s\n", "per-BO cost, 64 and 512 BOs", cfg, "(no figures)"
			return
		}
		a64 = perbo(cfg, "a", 64); a512 = perbo(cfg, "a", 512); b512 = perbo(cfg, "b", 512)
		flat = a64 > 0 ? a512 / a64 : 0
		ratio = b512 > 0 ? a512 / b512 : 0
		verdict = cfg == "off" ? (flat <= 1.25 ? "met" : "MISSED") : "-"
		tg = cfg == "off" ? "flat" : "report"
		printf "%-46s %-3s  %-10s %-22s %-10s %-22s %6.2f  %-9s %s (512/64: %.2f)\n",
			"per-BO cost at 512 BOs (at 64 BOs)", cfg, "gpucore",
			sprintf("%.1f (%.1f)", a512, a64), "drm_sched",
			sprintf("%.1f (%.1f)", b512, perbo(cfg, "b", 64)),
			ratio, tg, verdict, flat
	}
	FILENAME == ARGV[1] {
		cfg = $1; key = $2
		med_a[cfg, key] = $4; med_b[cfg, key] = $7
		fig[cfg, key, "a"] = sprintf("%s (%s-%s)", $4, $3, $5)
		fig[cfg, key, "b"] = sprintf("%s (%s-%s)", $7, $6, $8)
		next
	}
	{ prof[++np] = $0 }
	END {
		print header
		printf "%d rounds (%d for 10,000 jobs in flight), A and B interleaved; ", rounds, irounds
		print "ns per operation: median (min-max) of the rounds."
		if (clock == "icount")
			print "Clock: qemu -icount shift=0, one guest instruction per ns: ns read as instructions."
		print "Debug tracking off is the production build; the targets apply to it."
		print ""
		printf "%-46s %-3s  %-10s %-22s %-10s %-22s %6s  %-9s %s\n", "measure", "dbg",
			"A", "A ns", "B", "B ns", "A/B", "target", "verdict"
		for (c = 1; c <= 2; c++) {
			cfg = c == 1 ? "off" : "on"
			row(cfg, "ref_bo", "owned-ref get+put, BO", "gc_bo", "drm_gem", "1.05")
			row(cfg, "ref_fence", "owned-ref get+put, fence", "gc_fence", "dma_fence", "1.05")
			row(cfg, "fence", "fence create->signal->release", "gc_fence", "dma_fence", "1.10")
			row(cfg, "job_1", "job submit->retire, 1 BO", "gc_queue", "drm_sched", "1.10")
			row(cfg, "job_8", "job submit->retire, 8 BOs", "gc_queue", "drm_sched", "1.10")
			row(cfg, "job_64", "job submit->retire, 64 BOs", "gc_queue", "drm_sched", "1.10")
			row(cfg, "job_512", "job submit->retire, 512 BOs", "gc_queue", "drm_sched", "1.10")
			perbo_row(cfg)
			row(cfg, "inflight_gc", "per job, 10,000 vs 10 in flight, gpucore", "10000", "10", "1.20")
			row(cfg, "inflight_raw", "per job, 10,000 vs 10 in flight, drm_sched", "10000", "10", "")
			row(cfg, "agx_submit_wait", "agx SUBMIT+syncobj wait vs vgem attach+signal",
			    "agx", "vgem", "")
		}
		if (np) {
			print ""
			print "Profile: per phase, ns per operation (A, B), the least of 3 extra passes (1 for"
			print "10,000 in flight). calib: a 4 KiB memset against a 64-byte one (how the clock"
			print "weighs bulk memory operations)."
			printf "%-4s %-14s %-26s %12s %12s\n", "dbg", "measure", "phase", "A", "B"
			for (i = 1; i <= np; i++) {
				split(prof[i], p, " ")
				printf "%-4s %-14s %-26s %12s %12s\n", p[1], p[2], p[3], p[4], p[5]
			}
		}
	}' "$2" "$3"
}

# plot: bench.png from the figures.
plot()
{
	local ratios=$B/ratios.dat jobs=$B/jobs.dat

	figures | awk '
		{ a[$1, $2] = $4; b[$1, $2] = $7 }
		function r(cfg, key) {
			if (!((cfg, key) in a) || b[cfg, key] <= 0)
				return "-"
			return sprintf("%.3f", a[cfg, key] / b[cfg, key])
		}
		function line(key, label, target) {
			printf "\"%s\" %s %s %s\n", label, r("off", key), r("on", key), target
		}
		END {
			line("ref_bo", "ref BO", 1.05)
			line("ref_fence", "ref fence", 1.05)
			line("fence", "fence", 1.10)
			line("job_1", "job 1 BO", 1.10)
			line("job_8", "job 8 BOs", 1.10)
			line("job_64", "job 64 BOs", 1.10)
			line("job_512", "job 512 BOs", 1.10)
			line("inflight_gc", "10000/10 gpucore", 1.20)
			line("inflight_raw", "10000/10 drm_sched", "-")
			line("agx_submit_wait", "agx/vgem", "-")
		}' >"$ratios"
	figures | awk '
		$2 ~ /^job_/ { n = substr($2, 5); a[$1, n] = $4 / 1000; b[$1, n] = $7 / 1000 }
		function v(arr, cfg, n) { return ((cfg, n) in arr) ? arr[cfg, n] : "-" }
		END {
			split("1 8 64 512", ns, " ")
			for (i = 1; i <= 4; i++)
				print ns[i], v(a, "off", ns[i]), v(b, "off", ns[i]), v(a, "on", ns[i])
		}' >"$jobs"
	gnuplot >"$B/gnuplot.log" 2>&1 <<EOF || { cat "$B/gnuplot.log" >&2; return 1; }
set terminal pngcairo size 1200,1100 font "sans,11" noenhanced
set output "$PLOT"
set datafile missing "-"
set multiplot layout 2,1 title "gpucore against the raw kernel primitives - Linux $V, qemu $(gc_vm_accel), $CPUS CPU(s), clock: $CLOCK"
set title "cost ratio A/B (median of the rounds): gpucore over the raw primitive; dots: targets"
set logscale y 2
set yrange [0.5:8192]
set ytics (0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048)
set grid ytics
set style fill solid 0.85 border -1
set boxwidth 0.36
set xtics rotate by -25 scale 0
set xrange [-0.6:9.6]
set key top center horizontal
plot "$ratios" using (\$0-0.19):2 with boxes lc rgb "#3a7bd5" title "debug tracking off", \
     "" using (\$0+0.19):3 with boxes lc rgb "#e08a2c" title "debug tracking on", \
     "" using 0:4:xtic(1) with points pt 7 ps 1.4 lc rgb "black" title "target (debug off)", \
     "" using (\$0-0.19):2:(sprintf("%.2f", \$2)) with labels offset 0,0.8 font ",9" notitle, \
     "" using (\$0+0.19):3:(\$3 >= 100 ? sprintf("%.0f", \$3) : sprintf("%.3g", \$3)) with labels offset 0,0.8 font ",9" notitle, \
     1 with lines dt 2 lc rgb "gray40" notitle
unset logscale
unset yrange
set title "job submit -> retire: time per job against BOs per job"
set logscale xy
set xrange [0.8:700]
set xtics (1, 8, 64, 512) rotate by 0 scale 1
set ytics auto
set xlabel "BOs per job"
set ylabel "us per job$([ "$CLOCK" = icount ] && echo " (thousands of instructions)")"
set key top left
plot "$jobs" using 1:2 with linespoints lw 2 pt 7 lc rgb "#3a7bd5" title "gpucore, debug tracking off", \
     "" using 1:3 with linespoints lw 2 pt 5 lc rgb "gray30" title "drm_sched used directly", \
     "" using 1:4 with linespoints lw 2 pt 9 lc rgb "#e08a2c" title "gpucore, debug tracking on"
unset multiplot
EOF
}

# update_docs: the table and the plot into Documentation/.
update_docs()
{
	local rst=$DOCS/benchmarks.rst series=${SERIES:-6.1}
	local suffix=${SERIES:+-$SERIES}

	mkdir -p "$DOCS/bench"
	cp "$RESULTS" "$DOCS/bench/results$suffix.txt"
	cp "$PLOT" "$DOCS/bench/bench$suffix.png"
	[ -f "$rst" ] || { echo "bench: $rst is missing; table not inserted" >&2; return 0; }
	grep -q "^\.\. bench-results-begin $series\$" "$rst" ||
		{ echo "bench: no markers for $series in $rst; table not inserted" >&2; return 0; }
	# Between the markers of the series: a literal block holding the table.
	awk -v table="$RESULTS" -v series="$series" '
		$0 == ".. bench-results-begin " series {
			print; print ""; print "::"; print ""
			while ((getline l < table) > 0) print (l == "" ? "" : "   " l)
			print ""; skip = 1; next
		}
		$0 == ".. bench-results-end " series { skip = 0 }
		!skip { print }' "$rst" >"$rst.tmp" && mv "$rst.tmp" "$rst"
	echo "bench: Documentation/bench/ and Documentation/benchmarks.rst updated ($series)"
}

report()	# report QEMU_RC PLOT_OK
{
	local qrc=$1 cfg key passed=0 failed=0 problems fails=()

	if [ "$2" != y ]; then
		fails+=("bench: FAIL plot: gnuplot failed, see $B/gnuplot.log")
		failed=$((failed + 1))
	fi
	for cfg in $CONFIGS; do
		for key in $KEYS; do
			if figures | awk -v c="$cfg" -v k="$key" '$1 == c && $2 == k { f = 1 } END { exit !f }'; then
				passed=$((passed + 1))
			else
				failed=$((failed + 1))
				fails+=("bench: FAIL $cfg/$key: $(grep -m1 "^bench: error $cfg $key" "$LOG" ||
					echo "no figures")")
			fi
		done
	done
	# Errors that belong to no measure (a module that did not load).
	while read -r line; do
		fails+=("bench: FAIL $line")
		failed=$((failed + 1))
	done < <(grep '^bench: error ' "$LOG" | grep -vE "^bench: error (off|on) ($(echo "$KEYS" |
		tr ' ' '|'))( |-profile )" | sed 's/^bench: error //' || true)
	if grep -q '^bench: DMESG END' "$LOG"; then
		problems=$(gc_vm_section "$LOG" "bench: DMESG" | gc_vm_kernel_problems "bench: case ")
	else
		problems=$(gc_vm_kernel_problems "bench: case " <"$LOG")
		if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
			fails+=("bench: FAIL end_marker: VM killed after ${TIMEOUT}s, see $LOG")
		else
			fails+=("bench: FAIL end_marker: VM stopped early (qemu status $qrc), see $LOG")
		fi
		failed=$((failed + 1))
	fi
	if [ -n "$problems" ]; then
		fails+=("bench: FAIL kernel_log: $(head -n 1 <<<"$problems")")
		failed=$((failed + 1))
	else
		passed=$((passed + 1))
	fi
	[ ${#fails[@]} -eq 0 ] || printf '%s\n' "${fails[@]}"
	echo "bench: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

gc_deps_e2e
gc_need gnuplot-nox rsync
BASE=
if [ "$SERIES" = 7.3 ]; then
	# Debian 12 cannot use Debian's 7.3 image: a kernel built here.
	KDIR=$("$GC_TOP/scripts/kunit.sh" --kernel 7.3 --arch bench | tail -n 1) ||
		die "the 7.3 bench kernel did not build (build/logs/kunit-7.3-bench-build.log)"
	BASE=$KDIR/root
	V=$(cat "$KDIR/kver")
	KERNEL=$BASE/boot/vmlinuz-$V
elif [ -n "$SERIES" ]; then
	KDIR=$("$GC_TOP/scripts/kernels.sh" "$SERIES") || die "kernel $SERIES not available"
	BASE=$GC_CACHE/kernels/$SERIES/root
	V=$(cat "$GC_CACHE/kernels/$SERIES/kver")
	KERNEL=$BASE/boot/vmlinuz-$V
else
	V=$(gc_kver)
	KERNEL=/boot/vmlinuz-$V
	KDIR=$(gc_kdir)
fi
mkdir -p "$B"

t0=$(date +%s)
build off n
build on y
stage
t1=$(date +%s)
echo "bench: built in $((t1 - t0))s; booting Linux $V under qemu ($(gc_vm_accel)), up to ${TIMEOUT}s"
qrc=0
clock=()
[ "$CLOCK" = icount ] && clock=(-i)
gc_vm_boot -c "$CPUS" "${clock[@]}" "$KERNEL" "$INITRD" "$LOG" "$TIMEOUT" bench_rounds="$ROUNDS" \
	bench_scale="$SCALE" bench_inflight_rounds="$INFLIGHT_ROUNDS" bench_iters="$ITERS" ||
	qrc=$?
t2=$(date +%s)
echo "bench: VM ran $((t2 - t1))s, qemu status $qrc" >>"$LOG"

header="gpucore benchmarks: Linux $V in qemu ($(gc_vm_accel), $CPUS CPU(s), 1 GiB, clock: $CLOCK), $(date -u +%Y-%m-%d)"
figures >"$B/figures.txt"
profiles >"$B/profile.txt"
table "$header" "$B/figures.txt" "$B/profile.txt" >"$RESULTS"
plot_ok=y
plot || plot_ok=n
cat "$RESULTS"
echo
echo "bench: VM $((t2 - t1))s; table $RESULTS$([ $plot_ok = y ] && echo ", plot $PLOT")"
rc=0
report "$qrc" "$plot_ok" || rc=$?
if [ "$UPDATE_DOCS" = y ]; then
	if [ $rc -eq 0 ] && [ $plot_ok = y ]; then
		update_docs
	else
		echo "bench: failures: Documentation/ left as it was" >&2
	fi
fi
exit $rc
