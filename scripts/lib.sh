# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers for the build and test scripts. Source it; do not run it.

GC_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GC_CACHE=${GPUCORE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gpucore}
GC_OUT=$GC_TOP/build
mkdir -p "$GC_CACHE" "$GC_OUT/logs"

# gc_need PKG...: install the Debian packages that are missing (idempotent).
gc_need()
{
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "deps: installing ${missing[*]}" >&2
	local sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	# A cache carried to a new machine must not skip the first update.
	if [ ! -f "$GC_CACHE/.apt-updated" ] ||
	   [ -n "$(find "$GC_CACHE/.apt-updated" -mmin +720)" ] ||
	   ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1; then
		$sudo apt-get update -qq >&2 && touch "$GC_CACHE/.apt-updated"
	fi
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >"$GC_OUT/logs/apt.log" 2>&1 || {
		tail -20 "$GC_OUT/logs/apt.log" >&2
		return 1
	}
}

# Packages by purpose.
gc_deps_modules() { gc_need make gcc libc6-dev linux-headers-amd64 linux-image-amd64 kmod; }
gc_deps_source() { gc_need linux-source-6.1 xz-utils; }
gc_deps_kunit() { gc_deps_source && gc_need gcc make flex bison bc libelf-dev python3 ccache; }
gc_deps_lint() { gc_deps_modules && gc_deps_source && gc_need sparse perl python3; }
gc_deps_e2e() { gc_deps_modules && gc_need qemu-system-x86 busybox-static cpio libdrm-dev pkg-config \
	xz-utils; }
gc_deps_docs() { gc_need doxygen python3; }

# gc_kver: the newest Debian kernel that has both an image and headers.
gc_kver()
{
	local v best=
	for v in $(ls /boot 2>/dev/null | sed -n 's/^vmlinuz-//p' | sort -V); do
		[ -d "/usr/src/linux-headers-$v" ] && best=$v
	done
	[ -n "$best" ] || { echo "no kernel with image and headers" >&2; return 1; }
	echo "$best"
}

# gc_kdir: the kernel build directory for out-of-tree modules (KDIR overrides).
gc_kdir()
{
	if [ -n "${KDIR:-}" ]; then
		echo "$KDIR"
	else
		echo "/usr/src/linux-headers-$(gc_kver)"
	fi
}

# gc_kernel_tree_dir SERIES: where gc_kernel_tree keeps its copy, one per
# checkout. Outside the checkout: Kbuild's clean of an M= build deletes every
# object below M, a copy's included.
gc_kernel_tree_dir()
{
	echo "$GC_CACHE/trees/$(echo "$GC_TOP" | sha256sum | cut -c1-12)-$1"
}

# gc_kernel_tree SERIES: a copy of the sources, brought up to date, for
# building modules for another kernel than the one the checkout itself is
# built for (Kbuild puts objects beside the sources). Prints its path.
gc_kernel_tree()
{
	local dst

	dst=$(gc_kernel_tree_dir "$1")
	mkdir -p "$dst"
	(cd "$GC_TOP" && git ls-files -co --exclude-standard -z |
		tar --null -T - --ignore-failed-read -cf - 2>/dev/null) |
		tar -C "$dst" -xf - || return 1
	echo "$dst"
}

# gc_linux_src: path of an unpacked linux-source-6.1, unpacked once into the cache.
gc_linux_src()
{
	local tarball ver dir
	tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1)
	[ -n "$tarball" ] || { echo "linux-source-6.1 is not installed" >&2; return 1; }
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
	dir=$GC_CACHE/src/linux-source-$ver
	if [ ! -f "$dir/.unpacked" ]; then
		echo "kernel source: unpacking $ver" >&2
		rm -rf "$dir.tmp" && mkdir -p "$dir.tmp" &&
			tar -xf "$tarball" -C "$dir.tmp" --strip-components=1 &&
			rm -rf "$dir" && mv "$dir.tmp" "$dir" && touch "$dir/.unpacked" || return 1
	fi
	echo "$dir"
}

# gc_kunit_build_dir PREFIX KUNITCONFIG SRC: the cached build directory of a
# test kernel, one per configuration: the architecture (PREFIX), the options
# (comments and order do not matter), the kernel source and the compiler.
gc_kunit_build_dir()
{
	local key
	key=$({
		grep -E '^(# )?CONFIG_' "$2" | sort
		basename "$3"
		gcc --version | head -n 1
	} | sha256sum | cut -c1-12)
	echo "$GC_CACHE/kunit/$1-$key"
}
