# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The one place that turns a target description (qemu/targets/NAME) into a
# kernel build, an out-of-tree module, test programs, an initramfs and a
# QEMU boot.  Sourced by qemu/run.sh and qemu/check.sh.
#
# A target either builds its kernel from the 6.12 source (kind=build, the
# default: defconfig, fragment, image) or boots a distribution's own kernel
# (kind=stock: kernel_package names the Debian meta-package, such as
# linux-image-amd64, whose dependency is the image package of the day;
# the matching linux-headers-<release> package is installed to build
# modules against).  module=dkms builds and installs xipmap.ko with DKMS
# from dkms.conf instead of a plain kbuild, and the guest then loads it with
# Debian's kmod tools (modprobe); modprobe="NAME PARAMS" is one more module
# of the kernel package that the guest loads first.
#
# Caches live outside the clone, under $XIPMAP_CACHE (~/.cache/xipmap):
#   src/linux-source-6.12-<deb version>/   unpacked Debian kernel source
#   src-patched/linux-source-6.12-<deb version>+<hash>/  the same with a
#                                           target's patches (hard links)
#   kernel/<target>-<key>/                  kernel build (make O=...)
#   stock/<image package>_<version>/        a stock kernel package, dpkg -x
#   uapi/<arch>-<key>/usr/include           uapi headers of the 6.12 source
#   tools/gen_init_cpio-<key>               the 6.12 source's gen_init_cpio
# <key> hashes everything the build depends on (source package version,
# target description, config fragment, compiler version), so an edited
# fragment or a new source package never reuses an old kernel.  The
# module, the test programs and the initramfs are rebuilt on every run.

XIPMAP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
XIPMAP_CACHE=${XIPMAP_CACHE:-${HOME:-/root}/.cache/xipmap}
XIPMAP_JOBS=${XIPMAP_JOBS:-$(nproc)}
XIPMAP_SOURCE_PKG=linux-source-6.12

# Packages every target needs on the build machine.  A minimal Debian
# (debootstrap --variant=minbase) has only perl-base: the W=1 module build
# runs scripts/kernel-doc, which needs perl's Pod::Usage (package perl);
# qemu/judge needs python3.
XIPMAP_BASE_PACKAGES="make gcc libc6-dev flex bison bc libssl-dev libelf-dev \
cpio xz-utils kmod perl python3 rsync patch $XIPMAP_SOURCE_PKG"
# What building and checking the Debian package takes (qemu/deb.sh; the
# stock targets install the module from that package).
XIPMAP_DEB_PACKAGES="dpkg-dev debhelper dh-dkms lintian fakeroot"

xm_log() { printf 'xipmap: %s\n' "$*" >&2; }
# A stock kernel newer than the one its target was checked with
# (xm_kernel_stock) names its package before every failure of the run.
xm_die() { printf 'xipmap: error: %s%s\n' "${k_new_package:+$k_new_package: }" "$*" >&2; exit 1; }

# xm_progress WHAT LOG CMD...: run CMD (a command or a function) with its
# output appended to LOG; while it runs, say every 10 s how long it has
# taken and the last line of LOG, so that a long stage is never silent.
# Returns CMD's status.
xm_progress() {
	local what=$1 log=$2 pid start next last
	shift 2

	"$@" >>"$log" 2>&1 &
	pid=$!
	start=$SECONDS next=$((SECONDS + 10))
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		[ "$SECONDS" -ge "$next" ] || continue
		next=$((next + 10))
		last=$(tail -n 1 "$log" 2>/dev/null | tr -d '\r' | cut -c1-70)
		xm_log "$what: $((SECONDS - start)) s${last:+ ($last)}"
	done
	wait "$pid"
}

# xm_lock PATH / xm_unlock: hold PATH.lock exclusively (flock), so that
# runs side by side never build the same thing in the same place at once.
# One lock at a time.
xm_lock() {
	mkdir -p "$(dirname "$1")"
	exec {xm_lock_fd}>"$1.lock"
	flock "$xm_lock_fd"
}
xm_unlock() {
	exec {xm_lock_fd}>&-
}

# xm_tree_hash PATH...: one hash of the names and contents of every file
# under the PATHs (files or directories).
xm_tree_hash() {
	local p

	for p; do
		(cd "$(dirname "$p")" && find "$(basename "$p")" -type f -print0 |
			sort -z | xargs -0 sha256sum)
	done | sha256sum | cut -c1-16
}

# xm_sync DIR PATH...: make DIR hold copies of the PATHs (files or
# directories, under their own names).  A file whose content is unchanged
# keeps its time, so that make rebuilds only what changed; a source file
# (.c, .h, Kbuild, Makefile) that is no longer in the PATHs is deleted.
xm_sync() {
	local dir=$1 p f from
	local -A want=()
	shift

	for p; do
		from=$(dirname "$p")
		while IFS= read -r -d '' f; do
			want[$f]=1
			cmp -s "$from/$f" "$dir/$f" && continue
			mkdir -p "$dir/$(dirname "$f")"
			cp "$from/$f" "$dir/$f"
		done < <(cd "$from" && find "$(basename "$p")" -type f -print0)
	done
	while IFS= read -r -d '' f; do
		f=${f#./}
		[ -n "${want[$f]:-}" ] || rm -f "$dir/$f"
	done < <(cd "$dir" && find . \( -name '*.[ch]' -o -name Kbuild -o -name Makefile \) \
		! -name '*.mod.c' -print0)
}

# xm_tap_names TARGET...: "program: case" for every case that ran (passed,
# failed or XFAIL) in the last run of any of the targets, sorted, once each.
xm_tap_names() {
	local t
	for t in "$@"; do
		# A target that did not run has failed already; its names are gone.
		[ -f "$XIPMAP_CACHE/run/$t/console.log" ] &&
			python3 "$XIPMAP_TOP/qemu/judge" --names "$XIPMAP_CACHE/run/$t/console.log"
	done | LC_ALL=C sort -u
}

# xm_load_target NAME: read qemu/targets/NAME into the t_* variables.
xm_load_target() {
	local file="$XIPMAP_TOP/qemu/targets/$1"

	[ -f "$file" ] || xm_die "unknown target '$1' (known: $(xm_targets | tr '\n' ' '))"
	unset description kind kernel_package module modprobe arch cross_compile \
		packages defconfig fragment image qemu qemu_args console append budget_cold \
		budget_warm user_cflags user_libs boot dtb load_kernel load_initrd load_dtb \
		poweroff module_params user_cross_compile debug guest_timeout libc runner \
		checked_version bench_params patches fixes kernel fs_images flash own_packages
	# shellcheck source=/dev/null
	. "$file"
	t_name=$1
	# kernel=OTHER: boot OTHER's kernel, built once for both: the build
	# fields (and their packages) are OTHER's alone, and the build is
	# cached and locked under OTHER's name.
	t_kernel_name=$1
	if [ -n "${kernel:-}" ]; then
		[ -f "$XIPMAP_TOP/qemu/targets/$kernel" ] ||
			xm_die "target $1: kernel=$kernel: no such target"
		for f in kind kernel_package arch cross_compile defconfig fragment image; do
			[ -z "${!f:-}" ] || xm_die "target $1: kernel=$kernel: $f is $kernel's"
		done
		t_kernel_name=$kernel
		own_packages=${packages:-}
		eval "$(
			unset kernel
			# shellcheck source=/dev/null
			. "$XIPMAP_TOP/qemu/targets/$t_kernel_name"
			[ -z "${kernel:-}" ] || echo "xm_die 'target $t_kernel_name: its kernel is $kernel'"
			for v in arch cross_compile defconfig fragment image packages; do
				printf '%s=%q\n' "$v" "${!v:-}"
			done
		)"
		packages="$packages $own_packages"
	fi
	t_file=$file
	t_description=$description
	t_kind=${kind:-build}
	t_kernel_package=${kernel_package:-}
	# kind=stock: the image package's Debian version this target was last
	# checked with (its pinned results are that kernel's); qemu/pin.sh
	# writes it.  When apt offers another version, the run says so.
	t_checked_version=${checked_version:-}
	t_module=${module:-kbuild}
	t_modprobe=${modprobe:-}
	t_arch=$arch
	t_cross=$cross_compile
	t_packages=$packages
	t_defconfig=${defconfig:-}
	# patches=DIR: the kernel is built from a copy of the source with the
	# git format-patch files of DIR (under the top directory) applied in
	# order of their names (xm_patched_source); fixes= names the known
	# kernel bugs they fix (docs/conformance.md numbers, docs/peers.md
	# P-numbers), which the guest's tests then assert fixed (XIPMAP_FIXED).
	t_patches=${patches:+$XIPMAP_TOP/$patches}
	t_fixes=${fixes:-}
	t_fragments=()
	for f in ${fragment:-}; do
		t_fragments+=("$XIPMAP_TOP/qemu/configs/$f")
	done
	t_image=${image:-}
	t_qemu=$qemu
	t_qemu_args=$qemu_args
	t_console=$console
	# Compiler flags of the guest programs beyond the architecture's, and
	# the libraries they link with (see selftests/xipmap/lib/nolibc.mk).
	t_user_cflags=${user_cflags:-}
	t_user_libs=${user_libs--lgcc}
	# Their compiler, when it is not the kernel's (i386 programs for an
	# amd64 kernel: Debian's i686 cross compiler).
	t_user_cross=${user_cross_compile-$cross_compile}
	# The C library of the test programs: nolibc (static PIE, what a
	# no-MMU system runs) or glibc (static, an MMU system's own).
	t_libc=${libc:-nolibc}
	# Who runs the kselftest install in the guest: init, or the kernel's
	# run_kselftest.sh under busybox (runner=kselftest; busybox-static).
	t_runner=${runner:-init}
	# How the kernel is entered: by QEMU's -kernel (the default), or, on a
	# board without firmware, by a boot stub of qemu/boot/ (boot=NAME),
	# with the build's device tree (dtb) and each piece placed by QEMU's
	# generic loader at load_kernel, load_initrd and load_dtb.
	t_boot=${boot:-}
	t_dtb=${dtb:-}
	t_load_kernel=${load_kernel:-}
	t_load_initrd=${load_initrd:-}
	t_load_dtb=${load_dtb:-}
	# poweroff=none: the board cannot power off; the runner ends QEMU when
	# the kernel says it has halted.
	t_poweroff=${poweroff:-yes}
	# xipmap.ko's parameters on this target (a small board: a smaller flash).
	t_module_params=${module_params:-}
	# xipmap.ko's parameters for the benchmark (make bench, qemu/bench.sh),
	# which runs on the targets that have them: the largest flash the
	# board's RAM and page allocator give, and three devices (nor, ram,
	# nand).
	t_bench_params=${bench_params:-}
	# Kernel parameters of this target's boots, after the runner's own.
	t_append=${append:-}
	# debug=yes: a kernel with the checkers of qemu/configs/debug.config;
	# the runner proves them on (--inject checkers) and reads kmemleak.
	t_debug=${debug:-no}
	# qemu/run.sh of this target alone, in seconds, on a 2-core machine:
	# with the kernel to build (cold) and with everything cached (warm).
	t_budget_cold=${budget_cold:?target $1: no budget_cold}
	t_budget_warm=${budget_warm:?target $1: no budget_warm}
	# Seconds the guest may run before the runner calls it hung (300; a
	# debug guest beside a kernel build in a cold make check needs more).
	t_guest_timeout=${guest_timeout:-300}
	# fs_images="romfs cramfs": xipmap-conform's filesystem images
	# (qemu/conform-contents.c, genromfs, qemu/mkcramfs-xip.c), which the
	# guest finds as /lib/xipmap/conform.<type> and writes into mtdram.
	t_fs_images=${fs_images:-}
	# flash="KIND:IMAGE ...": QEMU virt's CFI flash banks (32 MiB each at
	# 0x20000000 and 0x22000000), one word per bank from the first: KIND
	# rom (physmap-of's "mtd-rom", an MTD_ROM device) or nor (its
	# "cfi-flash", CFI NOR), holding the image conform.IMAGE, in a device
	# tree of the runner's with one node per bank, named flash-IMAGE
	# (linux,mtd-name).  A bank not listed is not in the device tree.
	t_flash=${flash:-}
	for f in $t_flash; do
		case $f in
		rom:*|nor:*) [[ " $t_fs_images " = *" ${f#*:} "* ]] ||
			xm_die "target $1: flash=$f: ${f#*:} is not in fs_images" ;;
		*) xm_die "target $1: flash=$f: KIND:IMAGE with KIND rom or nor" ;;
		esac
	done
	case $t_module in
	kbuild|dkms) ;;
	*) xm_die "target $1: unknown module '$t_module' (kbuild or dkms)" ;;
	esac
	[ -z "$t_modprobe" ] || [ "$t_module" = dkms ] ||
		xm_die "target $1: modprobe needs module=dkms (the guest's kmod tools)"
	case $t_kind in
	build) ;;
	stock)
		[ -n "$t_kernel_package" ] || xm_die "target $1: kind=stock needs kernel_package"
		return 0 ;;
	*) xm_die "target $1: unknown kind '$t_kind' (build or stock)" ;;
	esac
	[ ${#t_fragments[@]} -gt 0 ] || xm_die "target $1: no fragment"
	for f in "${t_fragments[@]}"; do
		[ -f "$f" ] || xm_die "target $1: no fragment $f"
	done
	[ -z "$t_patches" ] || compgen -G "$t_patches/*.patch" >/dev/null ||
		xm_die "target $1: no patches in $t_patches"
	[ -z "$t_fixes" ] || [ -n "$t_patches" ] || xm_die "target $1: fixes= without patches="
}

# xm_targets: every target, the default first.
xm_targets() {
	echo nommu-riscv64
	for f in "$XIPMAP_TOP"/qemu/targets/*; do
		[ "$(basename "$f")" = nommu-riscv64 ] || basename "$f"
	done
}

# xm_apt_update: refresh apt's package lists, once per run.
xm_apt_update() {
	[ -z "${XIPMAP_APT_UPDATED:-}" ] || return 0
	apt-get update -qq -o DPkg::Lock::Timeout=600 >&2 || xm_die "apt-get update failed"
	XIPMAP_APT_UPDATED=1
}

# xm_require_packages PKG...: install what is missing when root, else name it.
xm_require_packages() {
	local missing="" p

	local -A have=()
	while read -r p _ _ status; do
		[ "$status" = installed ] && have[$p]=1
	done < <(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null)
	for p in "$@"; do
		[ -n "${have[$p]:-}" ] || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		xm_die "missing Debian packages:$missing (as root: apt-get install$missing)"
	fi
	xm_log "installing Debian packages:$missing"
	xm_apt_update
	mkdir -p "$XIPMAP_CACHE"
	: >"$XIPMAP_CACHE/apt.log"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive xm_progress "apt-get install" "$XIPMAP_CACHE/apt.log" \
		apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=600 $missing ||
		{ tail -20 "$XIPMAP_CACHE/apt.log" >&2; xm_die "apt-get install$missing failed"; }
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
	xm_lock "$k_src"
	[ -f "$k_src/.xipmap-unpacked" ] && { xm_unlock; return 0; }
	xm_log "unpacking $tarball ($version) into $k_src"
	mkdir -p "$XIPMAP_CACHE/src"
	tmp=$(mktemp -d "$XIPMAP_CACHE/src/.unpack.XXXXXX")
	xm_progress "unpacking $XIPMAP_SOURCE_PKG" "$tmp.log" tar -C "$tmp" -xf "$tarball" ||
		{ tail -5 "$tmp.log" >&2; xm_die "cannot unpack $tarball"; }
	rm -rf "$k_src"
	mv "$tmp/$XIPMAP_SOURCE_PKG" "$k_src" && rmdir "$tmp" && rm -f "$tmp.log"
	touch "$k_src/.xipmap-unpacked"
	xm_unlock
}

# xm_kmake ARGS...: make in the loaded target's kernel build tree (for a
# stock kernel: its headers package).
xm_kmake() {
	if [ "$t_kind" = stock ]; then
		make -C "$k_build" ARCH="$t_arch" CROSS_COMPILE="$t_cross" "$@"
	else
		make -C "$k_src" O="$k_build" ARCH="$t_arch" CROSS_COMPILE="$t_cross" "$@"
	fi
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

# xm_kernel_build: get the target's kernel: build it (kind=build) or fetch
# the stock package (kind=stock).  Sets
#   k_build    tree to build modules against (make -C)
#   k_image    the kernel QEMU boots
#   k_release  its release (uname -r)
#   k_config   its .config (the guest's /boot/config-<release>)
#   k_uapi     uapi headers for the guest programs (KHDR)
#   k_cpio     gen_init_cpio
# and, for a stock kernel, k_modules: its /lib/modules/<release> as packaged.
xm_kernel_build() {
	k_built_now=""
	if [ "$t_kind" = stock ]; then
		xm_lock "$XIPMAP_CACHE/stock/$t_kernel_package"
		xm_kernel_stock
		xm_unlock
		xm_uapi_headers
		xm_gen_init_cpio
		return 0
	fi
	xm_patched_source
	# One build at a time per kernel: two runs side by side wait here.
	xm_lock "$XIPMAP_CACHE/kernel/$t_kernel_name"
	[ -f "$XIPMAP_CACHE/kernel/$t_kernel_name-$(xm_kernel_key)/.xipmap-built" ] ||
		k_built_now=1
	xm_kernel_compile
	xm_unlock
	k_release=$(cat "$k_build/include/config/kernel.release")
	k_config=$k_build/.config
	# The source's uapi headers for the architecture, not the build's: the
	# same for every target of an architecture, so that they share one
	# build of the test programs.
	xm_uapi_headers
	xm_gen_init_cpio
}

# xm_patched_source: for a target with patches=, a copy of the unpacked
# source with the patches applied, once per set of patches, and k_src set
# to it; for any other, k_src back at the source as unpacked.  The copy is
# of hard links (cp -al): patch(1) writes each file it changes anew, which
# breaks that file's link, so the unpacked tree is never changed; a
# patched file still linked to it is an error.
xm_patched_source() {
	local dir tmp p f

	k_src_unpacked=${k_src_unpacked:-$k_src}
	k_src=$k_src_unpacked
	[ -n "$t_patches" ] || return 0
	dir=$XIPMAP_CACHE/src-patched/$(basename "$k_src_unpacked")+$(xm_tree_hash "$t_patches")
	if [ ! -f "$dir/.xipmap-patched" ]; then
		xm_lock "$dir"
		if [ ! -f "$dir/.xipmap-patched" ]; then
			xm_log "$t_name: applying $t_patches to a copy of $k_src_unpacked"
			tmp=$(mktemp -d "$XIPMAP_CACHE/src-patched/.patch.XXXXXX")
			cp -al "$k_src_unpacked" "$tmp/src" || xm_die "cannot copy $k_src_unpacked"
			for p in "$t_patches"/*.patch; do
				patch -d "$tmp/src" -p1 -s -N --no-backup-if-mismatch <"$p" ||
					xm_die "$t_name: $(basename "$p") does not apply to $k_src_unpacked"
				for f in $(sed -n 's|^+++ b/||p' "$p"); do
					[ "$(stat -c %i "$tmp/src/$f")" != "$(stat -c %i "$k_src_unpacked/$f" 2>/dev/null)" ] ||
						xm_die "$t_name: patching $f changed the unpacked source too"
				done
			done
			rm -rf "$dir"
			mv "$tmp/src" "$dir" && rmdir "$tmp"
			touch "$dir/.xipmap-patched"
		fi
		xm_unlock
	fi
	k_src=$dir
}

# xm_kernel_key: a hash of everything that decides a kernel build: the
# source package's version, the target's build fields (not its QEMU
# arguments or time budgets, which do not change the kernel), the fragments'
# text, the recipe itself (the text of the shell functions that configure
# and build) and the cross and host compilers' versions.
xm_kernel_key() {
	{
		echo "$XIPMAP_SOURCE_PKG $(dpkg-query -W -f='${Version}' "$XIPMAP_SOURCE_PKG")"
		echo "arch=$t_arch cross=$t_cross defconfig=$t_defconfig image=$t_image"
		cat "${t_fragments[@]}"
		[ -z "$t_patches" ] || echo "patches=$(xm_tree_hash "$t_patches")"
		declare -f xm_kernel_compile xm_kmake xm_check_fragment
		"${t_cross}gcc" --version | head -1
		gcc --version | head -1
	} | sha256sum | cut -c1-16
}

# xm_kernel_compile: configure and build the target's kernel unless a build
# with the same inputs is cached.  Sets k_build and k_image.
xm_kernel_compile() {
	local key log

	key=$(xm_kernel_key)
	k_build=$XIPMAP_CACHE/kernel/$t_kernel_name-$key
	k_image=$k_build/$t_image
	if [ -f "$k_build/.xipmap-built" ] && [ -f "$k_image" ]; then
		xm_log "$t_name: kernel cached in $k_build"
		return 0
	fi
	mkdir -p "$k_build"
	log=$k_build/build.log
	xm_log "$t_name: building Linux from $k_src in $k_build (log: $log)"
	: >"$log"
	{
		xm_kmake "$t_defconfig" &&
		"$k_src/scripts/kconfig/merge_config.sh" -m -O "$k_build" \
			"$k_build/.config" "${t_fragments[@]}" &&
		xm_kmake olddefconfig
	} >>"$log" 2>&1 || { tail -20 "$log" >&2; xm_die "$t_name: kernel configuration failed"; }
	xm_check_fragment
	xm_progress "$t_name: building Linux" "$log" xm_kmake -j"$XIPMAP_JOBS" all ||
		{ tail -30 "$log" >&2; xm_die "$t_name: kernel build failed (log: $log)"; }
	xm_kmake headers >>"$log" 2>&1 ||
		{ tail -30 "$log" >&2; xm_die "$t_name: make headers failed (log: $log)"; }
	touch "$k_build/.xipmap-built"
}

# xm_kernel_stock: the image package that $t_kernel_package depends on in
# apt's candidate version today (e.g. linux-image-amd64 ->
# linux-image-6.1.0-N-amd64, linux-image-6.12-rt-amd64 ->
# linux-image-6.12.N+deb12-rt-amd64), downloaded and unpacked into the
# cache without installing it, once per package version; its headers
# package installed with apt-get, as a Debian user has it.  Sets
# k_package and k_version; when the version is not the target's
# checked_version, says so on one line and sets k_new_package, which
# prefixes every failure of the run (xm_die, qemu/judge --fail-prefix):
# the new kernel failed, not a flaky test.
xm_kernel_stock() {
	local meta=$t_kernel_package pkg="" version="" root tmp log lists resolved key

	# What the meta-package names changes only with apt's lists: the answer
	# is kept under their names, sizes and times (apt-cache takes seconds).
	lists=$(stat -c '%n %s %Y' /var/lib/apt/lists/*Packages* 2>/dev/null |
		sha256sum | cut -c1-16)
	resolved=$XIPMAP_CACHE/stock/$meta.resolved
	if [ -f "$resolved" ] && read -r key pkg version <"$resolved" && [ "$key" = "$lists" ]; then
		:
	else
		apt-cache show "$meta" >/dev/null 2>&1 || xm_apt_update
		pkg=$(apt-cache show --no-all-versions "$meta" 2>/dev/null |
			sed -n 's/^Depends: //p' | tr ',' '\n' |
			sed -n 's/^ *\(linux-image-[^ ]*\).*/\1/p' | head -1)
		[ -n "$pkg" ] || xm_die "$t_name: $meta depends on no linux-image-* package"
		version=$(apt-cache show --no-all-versions "$pkg" | sed -n 's/^Version: //p' |
			head -1)
		[ -n "$version" ] || xm_die "$t_name: apt knows no version of $pkg"
		lists=$(stat -c '%n %s %Y' /var/lib/apt/lists/*Packages* 2>/dev/null |
			sha256sum | cut -c1-16)
		mkdir -p "$XIPMAP_CACHE/stock"
		echo "$lists $pkg $version" >"$resolved"
	fi
	k_package=$pkg k_version=$version k_new_package=""
	if [ "$version" != "$t_checked_version" ]; then
		k_new_package=$pkg
		xm_log "$t_name: apt now offers $pkg $version;" \
			"$([ -n "$t_checked_version" ] && echo "last checked with $t_checked_version" ||
				echo "never checked (no checked_version in qemu/targets/$t_name)")"
	fi
	k_release=${pkg#linux-image-}
	k_release=${k_release%-unsigned}
	xm_stock_headers
	k_build=/usr/src/linux-headers-$k_release
	[ -f "$k_build/Makefile" ] || xm_die "$t_name: no $k_build (linux-headers-$k_release)"

	root=$XIPMAP_CACHE/stock/${pkg}_$version
	k_image=$root/boot/vmlinuz-$k_release
	k_config=$root/boot/config-$k_release
	k_modules=$root/lib/modules/$k_release
	if [ -f "$root/.xipmap-unpacked" ] && [ -f "$k_image" ]; then
		xm_log "$t_name: $pkg $version cached in $root"
		return 0
	fi
	xm_log "$t_name: downloading $pkg $version into $root"
	k_built_now=1
	mkdir -p "$XIPMAP_CACHE/stock"
	tmp=$(mktemp -d "$XIPMAP_CACHE/stock/.download.XXXXXX")
	log=$tmp.log
	# As root, apt downloads unsandboxed into a directory _apt cannot
	# enter, and says so: the note goes to the log.
	if ! (cd "$tmp" && xm_progress "$t_name: downloading $pkg" "$log" \
		apt-get download "$pkg=$version"); then
		rm -rf "$tmp"
		# Old lists may name a version the mirror no longer has.
		if [ -z "${XIPMAP_APT_UPDATED:-}" ]; then
			xm_log "$t_name: cannot download $pkg $version: updating apt's lists"
			rm -f "$log"
			xm_apt_update
			xm_kernel_stock
			return
		fi
		cat "$log" >&2
		xm_die "$t_name: cannot download $pkg $version"
	fi
	dpkg -x "$tmp/${pkg}_"*.deb "$tmp/root" >>"$log" 2>&1 ||
		{ cat "$log" >&2; xm_die "$t_name: cannot unpack $pkg $version"; }
	[ -f "$tmp/root/boot/vmlinuz-$k_release" ] ||
		xm_die "$t_name: $pkg has no boot/vmlinuz-$k_release"
	rm -rf "$root"
	mv "$tmp/root" "$root" && rm -rf "$tmp" "$log"
	touch "$root/.xipmap-unpacked"
}

# xm_stock_headers: linux-headers-$k_release, installed if missing.  6.12's
# headers package depends on its image package, so apt installs that kernel
# on the host too (and its kernel hooks run DKMS's autoinstall): the install
# holds the runner's DKMS lock.
xm_stock_headers() {
	local fd

	dpkg-query -W -f='${Status}' "linux-headers-$k_release" 2>/dev/null |
		grep -q ' installed$' && return 0
	mkdir -p "$XIPMAP_CACHE/dkms"
	exec {fd}>"$XIPMAP_CACHE/dkms/all.lock"
	flock "$fd"
	xm_require_packages "linux-headers-$k_release"
	exec {fd}>&-
}

# xm_uapi_headers: the 6.12 source's uapi headers for $t_arch (make
# headers), for the guest programs of every target of that architecture.
# Sets k_uapi.
xm_uapi_headers() {
	local key dir

	key=$(echo "$XIPMAP_SOURCE_PKG $(dpkg-query -W -f='${Version}' "$XIPMAP_SOURCE_PKG") $t_arch" |
		sha256sum | cut -c1-16)
	dir=$XIPMAP_CACHE/uapi/$t_arch-$key
	k_uapi=$dir/usr/include
	[ -f "$dir/.xipmap-built" ] && return 0
	xm_lock "$dir"
	[ -f "$dir/.xipmap-built" ] && { xm_unlock; return 0; }
	xm_log "$t_name: making the uapi headers ($t_arch) in $dir"
	rm -rf "$dir" && mkdir -p "$dir"
	xm_progress "$t_name: making the uapi headers" "$dir/build.log" \
		make -C "$k_src" O="$dir" ARCH="$t_arch" headers ||
		{ tail -20 "$dir/build.log" >&2; xm_die "$t_name: make headers failed (log: $dir/build.log)"; }
	touch "$dir/.xipmap-built"
	xm_unlock
}

# xm_gen_init_cpio: the 6.12 source's usr/gen_init_cpio, built with the
# host compiler.  Sets k_cpio.
xm_gen_init_cpio() {
	local c=$k_src/usr/gen_init_cpio.c key

	key=$({ cat "$c"; gcc --version | head -1; } | sha256sum | cut -c1-16)
	k_cpio=$XIPMAP_CACHE/tools/gen_init_cpio-$key
	[ -x "$k_cpio" ] && return 0
	mkdir -p "$XIPMAP_CACHE/tools"
	gcc -O2 -o "$k_cpio.tmp" "$c" || xm_die "cannot build $c"
	mv "$k_cpio.tmp" "$k_cpio"
}

# xm_host_tool NAME: the path of qemu/NAME.c built for the build machine,
# once per source (and the headers it shares with the tests) and compiler.
xm_host_tool() {
	local src=$XIPMAP_TOP/qemu/$1.c key bin

	key=$({ cat "$src" "$XIPMAP_TOP/selftests/xipmap/lib/xipmap_code.h" \
		"$XIPMAP_TOP/uapi/linux/xipmap.h"; gcc --version | head -1; } |
		sha256sum | cut -c1-16)
	bin=$XIPMAP_CACHE/tools/$1-$key
	if [ ! -x "$bin" ]; then
		mkdir -p "$XIPMAP_CACHE/tools"
		gcc -O2 -Wall -Wextra -Werror -I"$XIPMAP_TOP/uapi" \
			-I"$XIPMAP_TOP/selftests/xipmap/lib" -o "$bin.tmp" "$src" ||
			xm_die "cannot build $src"
		mv "$bin.tmp" "$bin"
	fi
	echo "$bin"
}

# xm_fs_images DIR: the target's fs_images, xipmap-conform's filesystems,
# as DIR/conform.<type>: the files of qemu/conform-contents.c (the
# pattern, and the architecture's code where the tests run it), in a romfs
# of Debian's genromfs with file data on page boundaries (-a: a file can
# then be mapped in place) and in an XIP cramfs of qemu/mkcramfs-xip.c.
# Pages of 4 KiB, which every no-MMU target has.
xm_fs_images() {
	local dir=$1 arch img tool

	[ -n "$t_fs_images" ] || return 0
	case $t_arch in
	riscv|arm) arch=$t_arch ;;
	x86|x86_64|i386) arch=x86 ;;
	*) xm_die "$t_name: fs_images: no code to run in place for $t_arch" ;;
	esac
	rm -rf "$dir/contents"
	mkdir -p "$dir/contents"
	tool=$(xm_host_tool conform-contents)
	"$tool" "$dir/contents" "$arch" 4096 || xm_die "$t_name: conform-contents failed"
	for img in $t_fs_images; do
		case $img in
		romfs)
			command -v genromfs >/dev/null ||
				xm_die "$t_name: fs_images=romfs needs Debian's genromfs in packages="
			genromfs -d "$dir/contents" -f "$dir/conform.romfs" -V xipmap-conform -a 4096 ;;
		cramfs)
			tool=$(xm_host_tool mkcramfs-xip)
			"$tool" "$dir/contents" "$dir/conform.cramfs" 4096 ;;
		*) xm_die "$t_name: fs_images: unknown image '$img' (romfs, cramfs)" ;;
		esac || xm_die "$t_name: cannot make the $img image"
	done
}

# xm_flash DIR: the target's flash banks (flash=) as QEMU arguments in the
# array flash_args: QEMU's own device tree, dumped, with its one
# "cfi-flash" node over both banks (which the kernel would concatenate,
# and a concatenation has no mtd_point(): nothing maps in place) replaced
# by one node per bank listed, and the bank's image written into the
# flash's memory by QEMU's generic loader (a pflash drive makes the
# no-MMU guest silent: ../shared/platform-notes.md).
xm_flash() {
	local dir=$1 dtb=$1/flash.dtb i=0 f kind img node addr compatible

	flash_args=()
	[ -n "$t_flash" ] || return 0
	[ -z "$t_boot" ] || xm_die "$t_name: flash= is QEMU virt's, not a board with a boot stub"
	# shellcheck disable=SC2086
	$t_qemu $t_qemu_args -machine dumpdtb="$dtb" -nographic </dev/null \
		>"$dir/dumpdtb.log" 2>&1 || { cat "$dir/dumpdtb.log" >&2
		xm_die "$t_name: $t_qemu cannot dump its device tree"; }
	fdtget "$dtb" /flash@20000000 compatible >/dev/null 2>&1 ||
		xm_die "$t_name: QEMU's device tree has no /flash@20000000"
	fdtput -r "$dtb" /flash@20000000 || xm_die "$t_name: fdtput -r /flash@20000000 failed"
	for f in $t_flash; do
		[ $i -lt 2 ] || xm_die "$t_name: flash=: QEMU virt has two banks"
		kind=${f%%:*} img=${f#*:}
		addr=$(printf '0x%x' $((0x20000000 + i * 0x2000000)))
		node=/flash@${addr#0x}
		compatible=cfi-flash
		[ "$kind" = rom ] && compatible=mtd-rom
		{ fdtput -c "$dtb" "$node" &&
		  fdtput -t s "$dtb" "$node" compatible "$compatible" &&
		  fdtput -t x "$dtb" "$node" reg 0 "$addr" 0 0x2000000 &&
		  fdtput -t x "$dtb" "$node" bank-width 4 &&
		  fdtput -t s "$dtb" "$node" linux,mtd-name "flash-$img"; } ||
			xm_die "$t_name: cannot write $node into $dtb"
		flash_args+=(-device "loader,file=$dir/conform.$img,addr=$addr")
		i=$((i + 1))
	done
	flash_args+=(-dtb "$dtb")
}
