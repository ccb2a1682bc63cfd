#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Fetch Debian's packages of a newer kernel into the cache, without touching
# the machine's apt configuration or installed packages.
#   scripts/kernels.sh 6.12    fetch (or find cached) Debian 12's 6.12 kernel
#                              from the backports suite; prints the
#                              directory that holds the headers (a KDIR)
#   scripts/kernels.sh 7.3     fetch Debian 13's 7.3 source and amd64
#                              headers from trixie-backports and prepare a
#                              module tree from them; prints its KDIR
#   scripts/kernels.sh --src 7.3
#                              only the unpacked 7.3 source (for the KUnit
#                              and debug kernels); prints its path
# The result is under $GC_CACHE/kernels/SERIES/:
#   root/                      the packages unpacked with dpkg-deb -x
#   kdir                       the KDIR for out-of-tree modules
#   kver                       the kernel release (uname -r of the image)
#   vmlinuz                    6.12: the image, for the VM tests (its
#                              modules, with modules.dep, in root/lib/modules)
#   src                        7.3: the path of the unpacked source, which
#                              lives beside 6.1's under $GC_CACHE/src
# 7.3's prebuilt headers and image do not fit Debian 12 (their tools need a
# newer glibc; the image is built by gcc-14 with Rust), so its module tree
# is the source configured with the headers' .config and Module.symvers,
# Rust off, and `make modules_prepare`.
# Source it to use gc_kernel_fetch from another script.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# gc_apt_archive_uri: the URI of the machine's main Debian archive, as its
# own apt sources name it (deb822 .sources or one-line .list files).
gc_apt_archive_uri()
{
	local codename f uri=

	codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		# The binary stanza whose Suites has the release itself (not
		# -security, not -updates).
		uri=$(awk -v s="$codename" '
			function done() { if (u != "" && ok && deb && !found) { print u; found = 1; exit } }
			/^[[:space:]]*$/ { done(); u = ""; ok = 0; deb = 0; next }
			/^URIs:/ { u = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) ok = 1 }
			/^Types:/ { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
			END { done() }' "$f")
		[ -n "$uri" ] && break
	done
	if [ -z "$uri" ]; then
		uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
			sed -E 's/\[[^]]*\]//' |
			awk -v s="$codename" '$1 == "deb" && $3 == s { print $2; exit }')
	fi
	[ -n "$uri" ] || { echo "no Debian archive in the apt sources" >&2; return 1; }
	echo "$uri"
}

# gc_apt PRIVATE_DIR ARGS...: apt-get on a private sources list, lists and
# package cache; the machine's own are only read (dpkg's status).
gc_apt()
{
	local d=$1

	shift
	apt-get -q -o Dir::Etc::SourceList="$d/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$d/lists" \
		-o Dir::Cache="$d/cache" \
		-o Dir::Cache::Archives="$d/archives" \
		-o APT::Sandbox::User=root \
		"$@"
}

# gc_apt_cache PRIVATE_DIR ARGS...: apt-cache on the same private state.
gc_apt_cache()
{
	local d=$1

	shift
	apt-cache -o Dir::Etc::SourceList="$d/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$d/lists" \
		-o Dir::Cache="$d/cache" \
		"$@"
}

# gc_kernel_fix_links ROOT KVER: the headers reach their -common part and
# the kbuild tools at absolute paths of the installed packages (links, and
# the include of the headers' Makefile); point them into ROOT so that the
# extraction builds modules on its own, wherever the cache is.
gc_kernel_fix_links()
{
	local root=$1 kver=$2 l t mk

	while IFS= read -r l; do
		t=$(readlink "$l")
		case "$t" in
		/usr/*) ln -sfn "$(realpath -m --relative-to="$(dirname "$l")" "$root$t")" "$l" ;;
		esac
	done < <(find "$root/usr/src" "$root/lib/modules" -type l 2>/dev/null)
	mk=$root/usr/src/linux-headers-$kver/Makefile
	# shellcheck disable=SC2016 # make's variables, not the shell's
	sed -i -E 's|^include /usr/src/([^/]+)/|include $(dir $(lastword $(MAKEFILE_LIST)))../\1/|' "$mk"
	if grep -q '^include /' "$mk"; then
		echo "kernels: cannot relocate $mk" >&2
		return 1
	fi
}

# gc_kernel_fetch SERIES: fetch SERIES (6.12) once; print its KDIR.
gc_kernel_fetch()
{
	local series=$1 suite dir apt uri codename pkgs=() p ver kver log

	case "$series" in
	6.12) suite=backports ;;
	7.3) gc_kernel_fetch_source "$series"; return ;;
	*) echo "kernels: unknown series $series (6.12, 7.3)" >&2; return 2 ;;
	esac
	dir=$GC_CACHE/kernels/$series
	if [ -f "$dir/.done" ] && [ -d "$(cat "$dir/kdir")" ]; then
		gc_need pahole >&2
		cat "$dir/kdir"
		return 0
	fi
	# pahole: what linux-kbuild depends on (the BTF of modules).
	gc_need apt dpkg pahole >&2
	codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
	uri=$(gc_apt_archive_uri)
	apt=$dir/apt
	log=$GC_OUT/logs/kernels-$series.log
	mkdir -p "$apt/lists/partial" "$apt/cache" "$apt/archives/partial" "$dir/debs"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $codename-$suite main" \
		>"$apt/sources.list"
	echo "kernels: $series from $codename-$suite" >&2
	gc_apt "$apt" update >"$log" 2>&1 || { tail -5 "$log" >&2; return 1; }
	# The newest ABI of the series that has an image, headers and kbuild.
	ver=$(gc_apt_cache "$apt" pkgnames "linux-headers-$series" |
		sed -n "s/^linux-headers-\(${series}[^-]*\)-amd64\$/\1/p" | sort -V | tail -n 1)
	[ -n "$ver" ] || { echo "kernels: no linux-headers-$series in $suite" >&2; return 1; }
	kver=$ver-amd64
	# The kbuild tools of this very upload, else the series' (older uploads).
	p=linux-kbuild-$ver
	gc_apt_cache "$apt" show "$p" >/dev/null 2>&1 || p=linux-kbuild-$series
	pkgs=("linux-headers-$kver" "linux-headers-$ver-common" "$p")
	for p in "linux-image-$kver-unsigned" "linux-image-$kver"; do
		if gc_apt_cache "$apt" show "$p" >/dev/null 2>&1; then
			pkgs+=("$p")
			break
		fi
	done
	[ ${#pkgs[@]} -eq 4 ] || { echo "kernels: no linux-image-$kver" >&2; return 1; }
	rm -f "$dir"/debs/*.deb
	(cd "$dir/debs" && gc_apt "$apt" download "${pkgs[@]}") >>"$log" 2>&1 ||
		{ tail -5 "$log" >&2; return 1; }
	rm -rf "$dir/root"
	for p in "$dir"/debs/*.deb; do
		dpkg-deb -x "$p" "$dir/root"
	done
	gc_kernel_fix_links "$dir/root" "$kver"
	# The module indexes the package's postinst would make, for modprobe.
	depmod -b "$dir/root" "$kver"
	echo "$kver" >"$dir/kver"
	echo "$dir/root/usr/src/linux-headers-$kver" >"$dir/kdir"
	ln -sfn "root/boot/vmlinuz-$kver" "$dir/vmlinuz"
	touch "$dir/.done"
	echo "kernels: $series is $kver (${pkgs[*]})" >&2
	cat "$dir/kdir"
}

# gc_apt_private DIR SUITE: a private apt state in DIR for SUITE of the
# machine's archive (a full suite name: trixie-backports), updated.
gc_apt_private()
{
	local apt=$1 suite=$2 log=$3

	mkdir -p "$apt/lists/partial" "$apt/cache" "$apt/archives/partial"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(gc_apt_archive_uri) $suite main" \
		>"$apt/sources.list"
	gc_apt "$apt" update >"$log" 2>&1 || { tail -5 "$log" >&2; return 1; }
}

# gc_kernel_fetch_source SERIES (7.3): the source and the amd64 headers of
# SERIES from trixie-backports, once; the source unpacked (pristine: the
# KUnit builds use it with O=) and a module tree prepared from it. Prints
# the KDIR of the module tree.
gc_kernel_fetch_source()
{
	local series=$1 dir apt log ver kver p src tarball build

	dir=$GC_CACHE/kernels/$series
	if [ -f "$dir/.done" ] && [ -d "$(cat "$dir/kdir")" ] && [ -d "$(cat "$dir/src")" ]; then
		cat "$dir/kdir"
		return 0
	fi
	gc_need apt dpkg xz-utils gcc make flex bison bc libelf-dev libssl-dev pahole >&2
	apt=$dir/apt
	log=$GC_OUT/logs/kernels-$series.log
	mkdir -p "$dir/debs"
	echo "kernels: $series from trixie-backports" >&2
	gc_apt_private "$apt" trixie-backports "$log" || return 1
	ver=$(gc_apt_cache "$apt" pkgnames "linux-headers-$series" |
		sed -n "s/^linux-headers-\(${series}[^-]*\)-amd64\$/\1/p" | sort -V | tail -n 1)
	[ -n "$ver" ] || { echo "kernels: no linux-headers-$series in trixie-backports" >&2; return 1; }
	kver=$ver-amd64
	rm -f "$dir"/debs/*.deb
	(cd "$dir/debs" && gc_apt "$apt" download "linux-source-$series" "linux-headers-$kver") \
		>>"$log" 2>&1 || { tail -5 "$log" >&2; return 1; }
	rm -rf "$dir/root"
	for p in "$dir"/debs/*.deb; do
		dpkg-deb -x "$p" "$dir/root"
	done
	tarball=$(ls "$dir/root/usr/src/linux-source-$series".tar.* | head -n 1)
	[ -f "$tarball" ] || { echo "kernels: no source tarball in linux-source-$series" >&2; return 1; }
	src=$GC_CACHE/src/linux-source-$ver
	echo "kernels: unpacking $ver" >&2
	rm -rf "$src.tmp" && mkdir -p "$src.tmp" &&
		tar -xf "$tarball" -C "$src.tmp" --strip-components=1 &&
		rm -rf "$src" && mv "$src.tmp" "$src" && touch "$src/.unpacked" || return 1
	# The tarball is unpacked; its copy in root/ only takes space.
	rm -f "$tarball"
	# The module tree: Debian's configuration and symbol versions over the
	# source, in a build directory of its own (O=).
	build=$dir/build
	rm -rf "$build" && mkdir -p "$build"
	cp "$dir/root/usr/src/linux-headers-$kver/.config" "$build/.config"
	cp "$dir/root/usr/src/linux-headers-$kver/Module.symvers" "$build/Module.symvers"
	# No Rust toolchain here; Debian's certificates are not in the source.
	"$src/scripts/config" --file "$build/.config" -d RUST \
		--set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS "" \
		-d MODULE_SIG_ALL
	echo "kernels: preparing the $series module tree" >&2
	if ! make -C "$src" O="$build" -j"$(nproc)" olddefconfig modules_prepare \
		>>"$log" 2>&1; then
		tail -5 "$log" >&2
		return 1
	fi
	echo "$kver" >"$dir/kver"
	echo "$build" >"$dir/kdir"
	echo "$src" >"$dir/src"
	touch "$dir/.done"
	echo "kernels: $series is $kver" >&2
	cat "$dir/kdir"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case "${1:-}" in
	--src)
		[ $# -eq 2 ] || { echo "usage: $0 [--src] 6.12|7.3" >&2; exit 2; }
		gc_kernel_fetch "$2" >/dev/null
		cat "$GC_CACHE/kernels/$2/src"
		;;
	*)
		[ $# -eq 1 ] || { echo "usage: $0 [--src] 6.12|7.3" >&2; exit 2; }
		gc_kernel_fetch "$1"
		;;
	esac
fi
