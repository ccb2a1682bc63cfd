# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Helpers for the scripts that boot a kernel (Debian's stock one, or the debug
# test kernel) under qemu with a busybox initramfs. Source it after lib.sh; do not run it. Nothing here
# uses global state: every function takes what it works on as arguments.
#
#   gc_vm_root ROOT INIT              a fresh root: busybox and its applets,
#                                     INIT installed as /init
#   gc_vm_stock_modules [-b BASE] ROOT V MOD...
#                                     Debian's modules MOD... of kernel V and
#                                     what they depend on, then depmod
#   gc_vm_add_files ROOT DIR FILE...  copy FILE... into ROOT/DIR
#   gc_vm_check_vermagic V KO...      each module is built for kernel V
#   gc_vm_static_prog OUT SRC... [--] [CFLAGS...]
#                                     a static program linked with libdrm.a
#   gc_vm_pack ROOT INITRD            the root as a newc cpio archive
#   gc_vm_boot [-c CPUS] [-m MEM] [-i] KERNEL INITRD LOG TIMEOUT [CMDLINE...]
#                                     boot; the serial console goes to LOG
#   gc_vm_accel                       the accelerator gc_vm_boot uses
#   gc_vm_section LOG MARK            lines between "MARK BEGIN" and "MARK END"
#   gc_vm_kernel_problems [MARK_RE]   kernel log lines (stdin) that mean a bug
#
# They need what gc_deps_e2e installs.

# gc_vm_root ROOT INIT: ROOT made anew with /bin (busybox and a link per
# applet), /sbin, /usr/bin and /usr/sbin pointing at it, the usual mount
# points, and INIT as /init.
gc_vm_root()
{
	local root=$1 init=$2 a

	rm -rf "$root"
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,etc,usr}
	ln -s bin "$root/sbin"
	ln -s ../bin "$root/usr/bin"
	ln -s ../bin "$root/usr/sbin"
	cp /bin/busybox "$root/bin/busybox"
	for a in $("$root/bin/busybox" --list); do
		[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
	done
	install -m 0755 "$init" "$root/init"
}

# gc_vm_stock_modules [-b BASE] ROOT V MODULE...: the stock modules of
# kernel V that modprobe would load for MODULE... (their dependencies
# included), at their own paths, with the module indexes, so that modprobe
# works in the guest. The modules are the machine's, or those of a kernel
# unpacked in BASE (with its modules.dep). Compressed modules are
# uncompressed: the guest's busybox loads plain ones.
gc_vm_stock_modules()
{
	local base='' root v path dest f

	if [ "$1" = -b ]; then
		base=$2
		shift 2
	fi
	root=$1 v=$2
	shift 2
	for path in $(modprobe -d "${base:-/}" -S "$v" --show-depends -a "$@" |
		      awk '$1 == "insmod" { print $2 }' | sort -u); do
		dest=$root${path#"$base"}
		mkdir -p "$(dirname "$dest")"
		cp "$path" "$dest"
		case "$dest" in
		*.xz) xz -df "$dest" ;;
		esac
	done
	mkdir -p "$root/lib/modules/$v"
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		cp "$base/lib/modules/$v/$f" "$root/lib/modules/$v/"
	done
	depmod -b "$root" "$v"
}

# gc_vm_add_files ROOT DIR FILE...: copy FILE... into ROOT/DIR.
gc_vm_add_files()
{
	local root=$1 dir=$2

	shift 2
	mkdir -p "$root/$dir"
	cp "$@" "$root/$dir/"
}

# gc_vm_check_vermagic V KO...: fails, naming the first culprit, unless
# every module is built for kernel V.
gc_vm_check_vermagic()
{
	local v=$1 ko magic

	shift
	for ko in "$@"; do
		[ -f "$ko" ] || { echo "$ko is missing" >&2; return 1; }
		magic=$(modinfo -F vermagic "$ko")
		[ "${magic%% *}" = "$v" ] ||
			{ echo "$ko is built for ${magic%% *}, not $v" >&2; return 1; }
	done
}

# gc_vm_static_prog OUT SRC... [-- CFLAGS...]: compile SRC... into the static
# program OUT against libdrm.a, warnings as errors. The compiler's output
# goes to OUT.log and, on failure, to stderr.
gc_vm_static_prog()
{
	local out=$1 srcs=() flags=()

	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		srcs+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	flags=("$@")
	mkdir -p "$(dirname "$out")"
	# shellcheck disable=SC2046 # pkg-config prints word lists
	gcc -static -O2 -Wall -Wextra -Werror $(pkg-config --cflags libdrm) "${flags[@]}" \
		-o "$out" "${srcs[@]}" $(pkg-config --libs --static libdrm) >"$out.log" 2>&1 || {
		cat "$out.log" >&2
		return 1
	}
}

# gc_vm_pack ROOT INITRD: ROOT as a newc cpio archive owned by root, with a
# stable file order.
gc_vm_pack()
{
	local root=$1 initrd=$2

	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) >"$initrd"
}

# gc_vm_boot [-c CPUS] [-m MEM] [-i] KERNEL INITRD LOG TIMEOUT [CMDLINE...]:
# boot a q35 machine with CPUS (2) CPUs and MEM (1G) of memory under TCG,
# each CPU on its own host thread (GPUCORE_VM_ACCEL=kvm where KVM works),
# until the guest powers off or TIMEOUT seconds pass. -i runs the guest on
# an instruction-counting clock (qemu -icount shift=0, one CPU thread): one
# instruction takes one nanosecond of guest time whatever the host does,
# and idle time is skipped. The serial console, cleaned of carriage returns
# and terminal escapes, goes to LOG. CMDLINE... is added to "console=ttyS0
# panic=-1 quiet". Returns qemu's status: 124 (or 137) when the time limit
# killed it.
gc_vm_boot()
{
	local cpus=2 mem=1G clock=() accel kernel initrd log timeout rc=0

	while [ $# -gt 0 ]; do
		case "$1" in
		-c) cpus=$2; shift 2 ;;
		-m) mem=$2; shift 2 ;;
		-i) clock=(-icount "shift=0,sleep=off"); shift ;;
		*) break ;;
		esac
	done
	kernel=$1 initrd=$2 log=$3 timeout=$4
	shift 4
	accel=$(gc_vm_accel)
	# Multi-threaded TCG, so that the CPUs really run at the same time;
	# instruction counting needs the single thread.
	[ "$accel" != tcg ] || [ ${#clock[@]} -gt 0 ] || accel=tcg,thread=multi
	timeout -k 10 "$timeout" qemu-system-x86_64 \
		-machine q35 -accel "$accel" "${clock[@]}" -cpu max -smp "$cpus" -m "$mem" \
		-nographic -no-reboot -nic none \
		-kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 quiet $*" \
		</dev/null >"$log" 2>&1 || rc=$?
	# Serial lines end in \r\n; the firmware clears the screen.
	sed -i 's/\r$//; s/\x1bc//g; s/\x1b\[[0-9;?]*[A-Za-z]//g' "$log"
	return $rc
}

# gc_vm_accel: the accelerator gc_vm_boot uses. Not KVM by default: a
# /dev/kvm that opens is no proof that KVM runs this machine model.
gc_vm_accel()
{
	echo "${GPUCORE_VM_ACCEL:-tcg}"
}

# gc_vm_section LOG MARK: the lines of LOG between a line starting with
# "MARK BEGIN" and the next starting with "MARK END".
gc_vm_section()
{
	awk -v b="$2 BEGIN" -v e="$2 END" '
		index($0, e) == 1 { on = 0 }
		on { print }
		index($0, b) == 1 { on = 1 }' "$1"
}

# gc_vm_kernel_problems [MARK_RE]: the kernel log lines on stdin that mean
# a bug (BUG, WARNING, Oops, KASAN, a leak, a stall, ...), each followed by
# "(in MARK)": the last marker matching MARK_RE (default "e2e: case ") seen
# before it, from the match on, or "boot". A call trace is expected only
# after a report a test caught on purpose ("gpucore: caught"), until the
# next marker.
gc_vm_kernel_problems()
{
	awk -v mark="${1:-e2e: case }" '
		match($0, mark) { cur = substr($0, RSTART); allow = 0; next }
		/gpucore: caught/ { allow = 1; next }
		/BUG:|WARNING:|Oops|KASAN|UBSAN|gpucore: BUG|Kernel panic|general protection fault|unreferenced object|INFO: .*(stall|blocked for more than)/ {
			print $0 " (in " (cur == "" ? "boot" : cur) ")"; allow = 0; next
		}
		/Call Trace/ && !allow { print $0 " (in " (cur == "" ? "boot" : cur) ")" }'
}
