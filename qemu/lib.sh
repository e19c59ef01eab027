# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The one place that turns a target description (qemu/targets/NAME) into a
# kernel build, an out-of-tree module, test programs, an initramfs and a
# QEMU boot.  Sourced by qemu/run.sh and qemu/check.sh.
#
# Caches live outside the clone, under $XIPMAP_CACHE (~/.cache/xipmap):
#   src/linux-source-6.12-<deb version>/   unpacked Debian kernel source
#   kernel/<target>-<key>/                  kernel build (make O=...)
# <key> hashes everything the kernel build depends on (source package
# version, target description, config fragment, compiler version), so an
# edited fragment or a new source package never reuses an old kernel.  The
# module, the test programs and the initramfs are rebuilt on every run.

XIPMAP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
XIPMAP_CACHE=${XIPMAP_CACHE:-${HOME:-/root}/.cache/xipmap}
XIPMAP_JOBS=${XIPMAP_JOBS:-$(nproc)}
XIPMAP_SOURCE_PKG=linux-source-6.12

# Packages every target needs on the build machine.
XIPMAP_BASE_PACKAGES="make gcc libc6-dev flex bison bc libssl-dev libelf-dev \
cpio xz-utils kmod $XIPMAP_SOURCE_PKG"

xm_log() { printf 'xipmap: %s\n' "$*" >&2; }
xm_die() { printf 'xipmap: error: %s\n' "$*" >&2; exit 1; }

# xm_load_target NAME: read qemu/targets/NAME into the t_* variables.
xm_load_target() {
	local file="$XIPMAP_TOP/qemu/targets/$1"

	[ -f "$file" ] || xm_die "unknown target '$1' (known: $(xm_targets | tr '\n' ' '))"
	unset description arch cross_compile packages defconfig fragment image \
		qemu qemu_args console
	# shellcheck source=/dev/null
	. "$file"
	t_name=$1
	t_file=$file
	t_description=$description
	t_arch=$arch
	t_cross=$cross_compile
	t_packages=$packages
	t_defconfig=$defconfig
	t_fragments=()
	for f in $fragment; do
		t_fragments+=("$XIPMAP_TOP/qemu/configs/$f")
	done
	t_image=$image
	t_qemu=$qemu
	t_qemu_args=$qemu_args
	t_console=$console
	[ ${#t_fragments[@]} -gt 0 ] || xm_die "target $1: no fragment"
	for f in "${t_fragments[@]}"; do
		[ -f "$f" ] || xm_die "target $1: no fragment $f"
	done
}

# xm_targets: every target, the default first.
xm_targets() {
	echo nommu-riscv64
	for f in "$XIPMAP_TOP"/qemu/targets/*; do
		[ "$(basename "$f")" = nommu-riscv64 ] || basename "$f"
	done
}

# xm_require_packages PKG...: install what is missing when root, else name it.
xm_require_packages() {
	local missing="" p

	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		xm_die "missing Debian packages:$missing (as root: apt-get install$missing)"
	fi
	xm_log "installing Debian packages:$missing"
	if [ -z "${XIPMAP_APT_UPDATED:-}" ]; then
		apt-get update -qq >&2 || xm_die "apt-get update failed"
		XIPMAP_APT_UPDATED=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		$missing >&2 || xm_die "apt-get install$missing failed"
}

# xm_kernel_source: unpack Debian's kernel source once per package version.
# Sets k_src.
xm_kernel_source() {
	local version tarball tmp

	version=$(dpkg-query -W -f='${Version}' "$XIPMAP_SOURCE_PKG") ||
		xm_die "$XIPMAP_SOURCE_PKG is not installed"
	tarball=/usr/src/$XIPMAP_SOURCE_PKG.tar.xz
	[ -f "$tarball" ] || xm_die "$tarball missing (reinstall $XIPMAP_SOURCE_PKG)"
	k_src=$XIPMAP_CACHE/src/$XIPMAP_SOURCE_PKG-$version
	[ -f "$k_src/.xipmap-unpacked" ] && return 0
	xm_log "unpacking $tarball ($version) into $k_src"
	mkdir -p "$XIPMAP_CACHE/src"
	tmp=$(mktemp -d "$XIPMAP_CACHE/src/.unpack.XXXXXX")
	tar -C "$tmp" -xf "$tarball" || xm_die "cannot unpack $tarball"
	rm -rf "$k_src"
	mv "$tmp/$XIPMAP_SOURCE_PKG" "$k_src" && rmdir "$tmp"
	touch "$k_src/.xipmap-unpacked"
}

# xm_kmake ARGS...: make in the kernel source for the loaded target.
xm_kmake() {
	make -C "$k_src" O="$k_build" ARCH="$t_arch" CROSS_COMPILE="$t_cross" "$@"
}

# xm_check_fragment: every option the fragments set must be in the .config
# (an option they turn off may also be absent: Kconfig hides it).  Later
# fragments override earlier ones, as merge_config.sh applies them.
xm_check_fragment() {
	local line opt bad=""
	local -A want=()

	while IFS= read -r line; do
		case $line in
		CONFIG_*=*) want[${line%%=*}]=$line ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			want[${opt%% *}]=$line ;;
		esac
	done < <(cat "${t_fragments[@]}")
	for opt in "${!want[@]}"; do
		line=${want[$opt]}
		case $line in
		CONFIG_*) grep -qxF "$line" "$k_build/.config" || bad="$bad $opt" ;;
		*) ! grep -q "^$opt=" "$k_build/.config" || bad="$bad $opt" ;;
		esac
	done
	[ -z "$bad" ] || xm_die "$t_name: kernel config dropped:$bad (see $k_build/.config)"
}

# xm_kernel_build: configure and build the target's kernel unless a build
# with the same inputs is cached.  Sets k_build and k_image.
xm_kernel_build() {
	local key log

	key=$({
		echo "$XIPMAP_SOURCE_PKG $(dpkg-query -W -f='${Version}' "$XIPMAP_SOURCE_PKG")"
		cat "$t_file" "${t_fragments[@]}"
		"${t_cross}gcc" --version | head -1
	} | sha256sum | cut -c1-16)
	k_build=$XIPMAP_CACHE/kernel/$t_name-$key
	k_image=$k_build/$t_image
	if [ -f "$k_build/.xipmap-built" ] && [ -f "$k_image" ]; then
		xm_log "$t_name: kernel cached in $k_build"
		return 0
	fi
	mkdir -p "$k_build"
	log=$k_build/build.log
	xm_log "$t_name: building Linux from $k_src in $k_build (log: $log)"
	{
		xm_kmake "$t_defconfig" &&
		"$k_src/scripts/kconfig/merge_config.sh" -m -O "$k_build" \
			"$k_build/.config" "${t_fragments[@]}" &&
		xm_kmake olddefconfig
	} >"$log" 2>&1 || { tail -20 "$log" >&2; xm_die "$t_name: kernel configuration failed"; }
	xm_check_fragment
	{
		xm_kmake -j"$XIPMAP_JOBS" all &&
		xm_kmake headers
	} >>"$log" 2>&1 || { tail -30 "$log" >&2; xm_die "$t_name: kernel build failed (log: $log)"; }
	touch "$k_build/.xipmap-built"
}
