#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build everything for one target, boot it in QEMU and judge the run.
#
#   qemu/run.sh [--target NAME] [--demo] [--inject FAULT] [--timeout SECONDS]
#               [--tests "PROG..."] [--known-bugs] [--allow REGEX]
#               [--table] [--conform "ARGS"] [--bench "ARGS"] [--icount]
#               [--params "MODULE PARAMETERS"] [--run-name NAME] [--quiet]
#
# The kernel, the module, the test programs and the initramfs are built
# only when their inputs changed (qemu/lib.sh says where each is cached).
# The whole console log is kept in $XIPMAP_CACHE/run/<run name>/console.log
# (the run name is the target's unless --run-name gives one, so that runs
# side by side keep their logs apart); qemu/judge gives the verdict from
# it, one line per reason, and the last line is always "N passed, N
# failed, N skipped".  A whole run is held to the target's pinned results,
# qemu/expected/<target>.  The runner says how long each stage took and
# the target's time budget.
#
# --known-bugs also runs the tests that trip known 6.12 bugs (a WARN), which
# are skipped otherwise; --allow REGEX names the kernel report such a run
# expects (it must then appear, and nothing else may).
# --table makes xipmap-conform print, for each provider, a table of every
# combination with what the document expects and what happened
# (docs/peers.md is made from it).
# --conform "ARGS" runs xipmap-conform with ARGS instead of its built-in
# profiles (e.g. --conform "/dev/xipflash1 --caps direct,copy,read").
# --bench "ARGS" runs xipmap-bench with ARGS (e.g. --bench "--csv --reps 15");
# its CSV is then in $XIPMAP_CACHE/run/<run name>/bench.csv (qemu/bench.sh).
# --icount runs the guest with QEMU's instruction counting (-icount
# shift=0): guest time follows the instructions executed, not the host's
# clock, so that two runs measure the same times.
# --params "P" loads xipmap with the module parameters P instead of the
# target's (e.g. --params "flash_size=4194304 nr_flash=3").
# --tests runs only the named test programs (selftests/xipmap), in order.
# --append ARGS adds kernel parameters to the target's (e.g. slub_debug=FZPU
# on a stock kernel, whose slab checks are built in but off).
# --inject breaks a run on purpose, to show the runner catches it and to
# capture real logs for the judge's fixtures: fail (a failing test), hang
# (init never powers off), warn, bug, oops (qemu/inject/xipmap_inject.c
# provokes that report), loadfail (a bad module parameter), unloadfail (a
# mapping outlives the tests), taint (a foreign taint flag), noreloc (the
# test programs start without applying their relocations), checkers (the
# injector provokes one report from each bug detector the kernel's config
# has, and each must appear: the checkers are proven on).

set -euo pipefail
. "$(dirname "$0")/lib.sh"

target=nommu-riscv64 mode=test inject="" timeout="" quiet="" only="" known_bugs="" table="" conform=""
allow=() run_name="" extra_append="" bench="" icount="" params=""
while [ $# -gt 0 ]; do
	case $1 in
	--target) target=$2; shift ;;
	--demo) mode=demo ;;
	--inject) inject=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--tests) only=$2; shift ;;
	--known-bugs) known_bugs=1 ;;
	--allow) allow+=("$2"); shift ;;
	--table) table=1 ;;
	--conform) conform=$2; shift ;;
	--bench) bench=$2; shift ;;
	--icount) icount=1 ;;
	--params) params=$2; shift ;;
	--run-name) run_name=$2; shift ;;
	--append) extra_append=$2; shift ;;
	--quiet) quiet=1 ;;
	*) xm_die "usage: $0 [--target NAME] [--demo] [--inject FAULT] [--timeout S] [--tests LIST] [--known-bugs] [--allow REGEX] [--table] [--conform ARGS] [--bench ARGS] [--icount] [--params P] [--run-name NAME] [--append ARGS] [--quiet]" ;;
	esac
	shift
done
[ -n "$conform" ] && [ -z "$only" ] && only=xipmap-conform
[ -n "$bench" ] && [ -z "$only" ] && only=xipmap-bench
case $inject in
""|fail|hang|loadfail|unloadfail|taint|noreloc|nodirect) inject_ko="" ;;
warn|bug|oops|checkers) inject_ko=1 ;;
*) xm_die "unknown fault '$inject'" ;;
esac

# t_stage NAME: the time since the last stage, as "NAME Ns", into $t_stages.
t_stages="" t_mark=$SECONDS
t_stage() {
	t_stages="${t_stages:+$t_stages, }$1 $((SECONDS - t_mark))s"
	t_mark=$SECONDS
}

xm_load_target "$target"
[ -n "$params" ] && t_module_params=$params
[ -n "$icount" ] && t_qemu_args="$t_qemu_args -icount shift=0"
timeout=${timeout:-$t_guest_timeout}
[ "$mode" = demo ] &&
	xm_log "demo: a first run installs Debian packages and builds a kernel, about" \
		"$((t_budget_cold / 60)) min on 2 cores; later runs take seconds"
xm_require_packages $XIPMAP_BASE_PACKAGES $t_packages
t_stage packages
xm_kernel_source
xm_kernel_build
t_stage kernel

out=$XIPMAP_CACHE/run/${run_name:-$t_name}
rm -rf "$out"
mkdir -p "$out"
log=$out/console.log
summary=$out/summary

# xm_module DIR SRC...: build an out-of-tree module exactly as a user would,
# with W=1, and refuse any compiler warning.  DIR is kept between runs:
# when the sources (SRC) and the kernel are the ones of the last build,
# nothing is done; otherwise the changed files are copied in (the others
# keep their times) and kbuild rebuilds what depends on them.
xm_module() {
	local dir=$1 blog key
	shift
	key=$({ echo "$k_build"; sha256sum <"$k_build/Module.symvers"
		xm_tree_hash "$@"; } | sha256sum | cut -c1-16)
	xm_lock "$dir"
	if [ -f "$dir.key" ] && [ "$(cat "$dir.key")" = "$key" ] &&
	   [ -n "$(find "$dir" -maxdepth 1 -name '*.ko' -print -quit)" ]; then
		xm_unlock
		return 0
	fi
	xm_log "$t_name: building $(basename "$dir") in $dir"
	rm -f "$dir.key"
	mkdir -p "$dir"
	xm_sync "$dir" "$@"
	blog=$dir.log
	# A failed build leaves nothing behind: an object built with a
	# warning must not pass unseen in the next, incremental, build.
	if ! xm_kmake M="$dir" W=1 ${module_gcov:+GCOV_PROFILE=y} -j"$XIPMAP_JOBS" modules \
		>"$blog" 2>&1; then
		cat "$blog" >&2
		rm -rf "$dir"
		xm_die "$t_name: module build failed in $dir"
	fi
	if grep -q 'warning:' "$blog"; then
		grep -B2 -A4 'warning:' "$blog" >&2
		rm -rf "$dir"
		xm_die "$t_name: the module build has warnings"
	fi
	echo "$key" >"$dir.key"
	xm_unlock
}

# xm_module_dkms: install xipmap.ko as a Debian user gets it: the
# xipmap-dkms package (qemu/deb.sh builds it from this tree, or finds it in
# its cache), installed with apt-get, whose postinst has DKMS build and
# install the module for the kernels whose headers are installed; then
# "dkms install -k <release>" if the postinst did not build for the
# target's release.  Refuses any compiler warning.  An xipmap-dkms already
# installed is purged first, and an xipmap DKMS has that no package
# installed (an older runner's "dkms add" of a tree) is removed.  Sets
# module_ko to the installed module.
xm_module_dkms() {
	local deb version log=$out/dkms.log v mlog key stamp ko apt_get

	[ "$(id -u)" = 0 ] ||
		xm_die "$t_name: DKMS installs into /usr/src and /lib/modules: run as root"
	deb=$("$XIPMAP_TOP/qemu/deb.sh" --build) ||
		xm_die "$t_name: building the xipmap-dkms package failed (qemu/deb.sh --build)"
	version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$XIPMAP_TOP/dkms.conf")
	[ -n "$version" ] || xm_die "dkms.conf: no PACKAGE_VERSION"
	# Once per package and headers package: the stamp names both and the
	# hash of the module DKMS installed, which must still be the one there.
	# Debian's 6.12 kernels compress their modules, and DKMS xipmap's too.
	# dkms_key RELEASE: the stamp's key for a release's headers.
	dkms_key() {
		{ sha256sum <"$deb"
		  dpkg-query -W -f='${Version}' "linux-headers-$1"; } | sha256sum | cut -c1-16
	}
	key=$(dkms_key "$k_release")
	stamp=$XIPMAP_CACHE/dkms/$k_release.key
	ko=$(find "/lib/modules/$k_release/updates/dkms" -maxdepth 1 -name 'xipmap.ko*' \
		-print -quit 2>/dev/null || true)
	if [ -n "$ko" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$key $(sha256sum <"$ko" | cut -c1-16)" ] &&
	   dpkg-query -W -f='${db:Status-Abbrev}' xipmap-dkms 2>/dev/null | grep -q '^ii' &&
	   dkms status -m xipmap -v "$version" -k "$k_release" 2>/dev/null | grep -q ': installed'; then
		xm_log "$t_name: xipmap-dkms $(basename "$deb") installed, xipmap $version built by DKMS for $k_release"
		module_ko=$ko
		return 0
	fi
	rm -f "$stamp"
	# apt-get waits for dpkg's lock if another apt-get holds it.
	apt_get=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -y)
	if dpkg-query -W -f='${db:Status-Abbrev}' xipmap-dkms 2>/dev/null | grep -q '^[ih]'; then
		xm_progress "$t_name: apt-get purge xipmap-dkms" "$log" "${apt_get[@]}" purge xipmap-dkms ||
			{ cat "$log" >&2; xm_die "$t_name: apt-get purge xipmap-dkms failed"; }
	fi
	for v in $(dkms status -m xipmap 2>/dev/null | sed -n 's|^xipmap/\([^,:]*\)[,:].*|\1|p' | sort -u); do
		dkms remove -m xipmap -v "$v" --all >>"$log" 2>&1 ||
			{ cat "$log" >&2; xm_die "$t_name: dkms remove xipmap/$v failed"; }
		rm -rf "/usr/src/xipmap-$v"
	done
	if ! xm_progress "$t_name: apt-get install $(basename "$deb")" "$log" \
		"${apt_get[@]}" install --no-install-recommends "$deb"; then
		cat "$log" >&2
		mlog=/var/lib/dkms/xipmap/$version/build/make.log
		[ -f "$mlog" ] && tail -30 "$mlog" >&2
		xm_die "$t_name: apt-get install $(basename "$deb") failed"
	fi
	if ! dkms status -m xipmap -v "$version" -k "$k_release" 2>/dev/null | grep -q ': installed'; then
		xm_log "$t_name: the postinst did not build for $k_release: dkms install -k $k_release"
		if ! xm_progress "$t_name: dkms install" "$log" \
			dkms install -m xipmap -v "$version" -k "$k_release"; then
			cat "$log" >&2
			xm_die "$t_name: DKMS failed to build or install xipmap $version for $k_release"
		fi
	fi
	cp "/var/lib/dkms/xipmap/$version/$k_release/$(uname -m)/log/make.log" \
		"$out/dkms-make.log" 2>/dev/null ||
		cp "/var/lib/dkms/xipmap/$version/build/make.log" "$out/dkms-make.log"
	if grep -q 'warning:' "$out/dkms-make.log"; then
		grep -B2 -A4 'warning:' "$out/dkms-make.log" >&2
		xm_die "$t_name: the DKMS build has warnings"
	fi
	dkms status -m xipmap 2>/dev/null | while read -r line; do
		xm_log "$t_name: dkms status: $line"
	done
	dkms status -m xipmap -v "$version" -k "$k_release" 2>/dev/null | grep -q ': installed' ||
		xm_die "$t_name: dkms status does not show xipmap $version installed for $k_release"
	module_ko=$(modinfo -k "$k_release" -n xipmap) ||
		xm_die "$t_name: modinfo -k $k_release finds no xipmap"
	case $module_ko in
	"/lib/modules/$k_release/updates/dkms/xipmap.ko"|"/lib/modules/$k_release/updates/dkms/xipmap.ko."*) ;;
	*) xm_die "$t_name: xipmap is at $module_ko, not where DKMS installs it" ;;
	esac
	# The postinst built for every kernel with headers: stamp each, so that
	# the next stock target's kernel does not install the package again
	# (and rebuild the module for all of them, and so on, turn about).
	mkdir -p "$(dirname "$stamp")"
	dkms status -m xipmap -v "$version" 2>/dev/null |
		sed -n 's|^xipmap/[^,]*, \([^,]*\), [^:]*: installed.*|\1|p' | while read -r r; do
		ko=$(find "/lib/modules/$r/updates/dkms" -maxdepth 1 -name 'xipmap.ko*' -print -quit \
			2>/dev/null || true)
		if [ -n "$ko" ] && [ "$r" != "$k_release" ]; then
			echo "$(dkms_key "$r") $(sha256sum <"$ko" | cut -c1-16)" >"$XIPMAP_CACHE/dkms/$r.key"
		fi
	done
	echo "$key $(sha256sum <"$module_ko" | cut -c1-16)" >"$stamp"
}

if [ "$t_module" = dkms ]; then
	xm_log "$t_name: xipmap.ko by DKMS from the xipmap-dkms package (log: $out/dkms.log)"
	xm_lock "$XIPMAP_CACHE/dkms/all"
	xm_module_dkms
	# A copy, taken under the lock: another run may reinstall or purge
	# the host's DKMS module before this one's initramfs is made.
	module_copy=$out/dkms-$(basename "$module_ko")
	cp "$module_ko" "$module_copy" || xm_die "$t_name: cannot copy $module_ko"
	xm_unlock
	# finit_module (init, flash_module) wants the module as built: one DKMS
	# compressed as the kernel's own are (6.12: xipmap.ko.xz) is unpacked.
	case $module_ko in
	*.xz) xz -dc "$module_copy" >"$out/xipmap.ko" ||
		xm_die "$t_name: cannot unpack $module_copy"
	      module_file=$out/xipmap.ko ;;
	*) module_file=$module_copy ;;
	esac
else
	# A kernel with GCOV_KERNEL profiles xipmap.ko (and nothing else): init
	# prints the counts at the end, and the coverage report comes from them.
	grep -qx CONFIG_GCOV_KERNEL=y "$k_config" && module_gcov=1
	xm_module "$XIPMAP_CACHE/module/$t_name" \
		"$XIPMAP_TOP/Kbuild" "$XIPMAP_TOP/module" "$XIPMAP_TOP/uapi"
	module_gcov=""
	module_ko=$XIPMAP_CACHE/module/$t_name/xipmap.ko
	module_file=$module_ko
fi
[ -n "$inject_ko" ] && xm_module "$XIPMAP_CACHE/module/$t_name-inject" \
	"$XIPMAP_TOP"/qemu/inject/{Kbuild,xipmap_inject.c}
t_stage module

# The test programs and init: built once per architecture, C library,
# toolchain and start-code flags, shared by the targets that have them all
# alike (a lock keeps two runs side by side from building in the same
# place), incrementally (the Makefiles track every header), and not at all
# when no input changed.  The tests are built and installed as a kernel
# tester builds them: selftests/xipmap is copied into a kernel tree's
# tools/testing/selftests (a tree of links to the unpacked kernel's, made
# here), and the kernel's own selftests Makefile builds it and installs it
# (make TARGETS=xipmap install): the programs, settings and config under
# xipmap/, kselftest-list.txt and run_kselftest.sh.  The guest gets that
# install as /tests, whichever runs it: init (no shell on no-MMU), or the
# kernel's run_kselftest.sh under busybox (runner=kselftest).
start_cflags=""
[ "$inject" = noreloc ] && start_cflags=-DXIPMAP_NO_RELOCATION
user_make=(KSRC="$k_src" KHDR="$k_uapi" CROSS_COMPILE="$t_user_cross"
	NOLIBC_ARCH_CFLAGS="$t_user_cflags" NOLIBC_LIBS="$t_user_libs")
tests_dir=$XIPMAP_CACHE/tests/$t_arch-$t_libc-$({
	echo "$t_user_cross $start_cflags $k_src $k_uapi"
	echo "$t_user_cflags / $t_user_libs"; "${t_user_cross}gcc" --version | head -1; } |
	sha256sum | cut -c1-16)
# uapi/ too: selftests/xipmap/lib/uapi is a link to it, which the hash skips.
tests_key=$(xm_tree_hash "$XIPMAP_TOP/selftests/xipmap" "$XIPMAP_TOP/uapi" \
	"$XIPMAP_TOP/qemu/init.c" "$XIPMAP_TOP/qemu/Makefile" "$XIPMAP_TOP/qemu/inject/inject_fail.c")
kst=$tests_dir/tree/tools/testing/selftests
mkdir -p "$tests_dir"
xm_lock "$tests_dir"
if [ "$(cat "$tests_dir/key" 2>/dev/null)" != "$tests_key" ]; then
	xm_log "$t_name: building the tests ($t_libc) and init in $tests_dir"
	# init too: make's timestamps cannot tell an init built from another
	# checkout's newer-looking files (two clones share this directory).
	rm -rf "$tests_dir/key" "$tests_dir/install" "$tests_dir/init"
	mkdir -p "$kst"
	ln -sfn "$k_src/scripts" "$tests_dir/tree/scripts"
	for f in "$k_src"/tools/testing/selftests/*; do
		[ -d "$f" ] && [ "${f##*/}" != kselftest ] && continue
		ln -sfn "$f" "$kst/"
	done
	# -L: lib/uapi/linux/xipmap.h is a link to uapi/ of this tree.
	rsync -a -L --delete --exclude out "$XIPMAP_TOP/selftests/xipmap/" "$kst/xipmap/"
	make -s -j"$XIPMAP_JOBS" -C "$kst" TARGETS=xipmap KHDR_INCLUDES="-isystem $k_uapi" \
		KSRC="$k_src" CROSS_COMPILE="$t_user_cross" LIBC="$t_libc" \
		NOLIBC_ARCH_CFLAGS="$t_user_cflags" NOLIBC_LIBS="$t_user_libs" \
		NOLIBC_START_CFLAGS="$start_cflags" INSTALL_PATH="$tests_dir/install" \
		install >"$tests_dir/build.log" 2>&1 ||
		{ tail -30 "$tests_dir/build.log" >&2; xm_die "$t_name: building the tests failed"; }
	make -s -j"$XIPMAP_JOBS" -C "$XIPMAP_TOP/qemu" "${user_make[@]}" \
		OUTPUT="$tests_dir/init" NOLIBC_START_CFLAGS="$start_cflags" >&2 ||
		xm_die "$t_name: building init failed"
	echo "$tests_key" >"$tests_dir/key"
fi
xm_unlock
mkdir -p "$out/tests"
sed -n 's/^xipmap://p' "$tests_dir/install/kselftest-list.txt" >"$out/tests/list"
[ -s "$out/tests/list" ] || xm_die "$t_name: the kselftest install lists no xipmap test"
if [ -n "$only" ]; then
	for t in $only; do
		grep -qx "$t" "$out/tests/list" || xm_die "--tests: no test program $t"
	done
	printf '%s\n' $only >"$out/tests/list"
fi
[ "$inject" = fail ] && echo inject_fail >>"$out/tests/list"

# The target's filesystem images and flash banks (qemu/lib.sh).
mkdir -p "$out/images"
xm_fs_images "$out/images"
xm_flash "$out/images"

# Directories the initramfs list below already makes.
declare -A cpio_dirs=([/dev]=1 [/proc]=1 [/sys]=1 [/bin]=1 [/lib]=1 [/lib/modules]=1
	[/tests]=1 [/boot]=1 [/tmp]=1)

# cpio_entry TYPE PATH REST...: a gen_init_cpio line, after lines for the
# directories above PATH that are not made yet.
cpio_entry() {
	local type=$1 path=$2 parent="" d
	shift 2

	for d in $(dirname "$path" | tr '/' ' '); do
		parent=$parent/$d
		[ -n "${cpio_dirs[$parent]:-}" ] && continue
		echo "dir $parent 0755 0 0"
		cpio_dirs[$parent]=1
	done
	echo "$type $path $*"
}

# module_closure DIR NAME...: the files under DIR (a /lib/modules/<release>
# as packaged) of the modules NAME and of every module they depend on.
module_closure() {
	local dir=$1 name file dep
	local -A seen=()
	local todo=("${@:2}")

	while [ ${#todo[@]} -gt 0 ]; do
		name=${todo[0]} todo=("${todo[@]:1}")
		[ -n "${seen[$name]:-}" ] && continue
		seen[$name]=1
		# 6.12's are compressed (.ko.xz)
		file=$(find "$dir/kernel" \( -name "$name.ko" -o -name "$name.ko.*" \
			-o -name "${name//_/-}.ko" -o -name "${name//_/-}.ko.*" \) -print -quit)
		[ -n "$file" ] || return 1
		echo "$file"
		for dep in $(modinfo -F depends "$file" | tr ',' ' '); do
			todo+=("$dep")
		done
	done
}

# kmod_initramfs: Debian's kmod (the host's, package kmod) with its
# libraries and dynamic loader, the kernel's /lib/modules/<release> with
# the DKMS-installed xipmap.ko where DKMS puts it, the module index files
# depmod needs, and the modules the target loads with modprobe.  Sets
# modprobe_arg.
kmod_initramfs() {
	local kmod lib tool mdir=/lib/modules/$k_release f files name

	kmod=$(command -v kmod) || xm_die "no kmod on this machine (package kmod)"
	kmod=$(readlink -f "$kmod")
	cpio_entry file /usr/bin/kmod "$kmod" 0755 0 0
	for lib in $(ldd "$kmod" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		cpio_entry file "$lib" "$lib" 0755 0 0
	done
	for tool in modprobe depmod modinfo rmmod insmod lsmod; do
		cpio_entry slink "/sbin/$tool" /usr/bin/kmod 0777 0 0
	done
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ -f "$k_modules/$f" ] || xm_die "$t_name: the kernel package has no $f"
		cpio_entry file "$mdir/$f" "$k_modules/$f" 0644 0 0
	done
	cpio_entry file "$module_ko" "$module_copy" 0644 0 0
	modprobe_arg=""
	[ -n "$t_modprobe" ] || return 0
	name=${t_modprobe%% *}
	if files=$(module_closure "$k_modules" "$name"); then
		for f in $files; do
			cpio_entry file "$mdir/${f#"$k_modules"/}" "$f" 0644 0 0
		done
		# The kernel command line splits at spaces: init turns '+' back into ' '.
		modprobe_arg=${t_modprobe// /+}
	else
		xm_log "$t_name: the kernel package has no $name.ko (or a module it needs): not loaded"
	fi
}

# busybox_initramfs: Debian's static busybox and a link for each of its
# applets where busybox --list-full puts it: /bin/sh and the tools the
# kernel's run_kselftest.sh and kselftest/runner.sh use (tr, sed, ...).
# Not /usr/bin/timeout: runner.sh calls it with --foreground, which
# busybox's timeout refuses, failing every test; without it runner.sh runs
# each test without a timeout of its own, and init bounds the whole run.
busybox_initramfs() {
	local bb=/bin/busybox a
	dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q ' installed' ||
		xm_die "$t_name: runner=kselftest needs Debian's busybox-static in packages="
	echo "file /bin/busybox $bb 0755 0 0"
	for a in $("$bb" --list-full); do
		case /$a in
		/bin/busybox | /init | /linuxrc | /usr/bin/timeout) continue ;;
		esac
		cpio_entry slink "/$a" /bin/busybox 0777 0 0
	done
}

# The initramfs, built with the kernel's own gen_init_cpio: no root needed.
{
	echo "dir /dev 0755 0 0"
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "dir /proc 0755 0 0"
	echo "dir /sys 0755 0 0"
	echo "dir /bin 0755 0 0"
	echo "dir /lib 0755 0 0"
	echo "dir /lib/modules 0755 0 0"
	echo "dir /tests 0755 0 0"
	# The tests' scratch directory (TMPDIR, else /tmp): they mount there.
	echo "dir /tmp 01777 0 0"
	# The kernel's configuration where Debian keeps it, for tests that
	# depend on an option (they read /boot/config-$(uname -r)).
	echo "dir /boot 0755 0 0"
	echo "file /boot/config-$k_release $k_config 0644 0 0"
	echo "file /init $tests_dir/init/init 0755 0 0"
	echo "file /lib/modules/xipmap.ko $module_file 0644 0 0"
	# xipmap-conform's filesystem images (fs_images=), for mtdram.
	for f in $t_fs_images; do
		cpio_entry file "/lib/xipmap/conform.$f" "$out/images/conform.$f" 0644 0 0
	done
	[ "$t_module" = dkms ] && kmod_initramfs
	[ -n "$inject_ko" ] &&
		echo "file /lib/modules/xipmap_inject.ko $XIPMAP_CACHE/module/$t_name-inject/xipmap_inject.ko 0644 0 0"
	echo "file /bin/xipmap_demo $tests_dir/install/xipmap/xipmap_demo 0755 0 0"
	# The kselftest install, with the list cut to the tests asked for.
	sed 's/^/xipmap:/' "$out/tests/list" >"$out/tests/kselftest-list.txt"
	echo "file /tests/kselftest-list.txt $out/tests/kselftest-list.txt 0644 0 0"
	for f in "$tests_dir"/install/run_kselftest.sh "$tests_dir"/install/kselftest/*; do
		cpio_entry file "/tests/${f#"$tests_dir"/install/}" "$f" 0755 0 0
	done
	for f in settings config; do
		cpio_entry file "/tests/xipmap/$f" "$tests_dir/install/xipmap/$f" 0644 0 0
	done
	while read -r t; do
		if [ "$t" = inject_fail ]; then
			echo "file /tests/xipmap/$t $tests_dir/init/inject_fail 0755 0 0"
		else
			echo "file /tests/xipmap/$t $tests_dir/install/xipmap/$t 0755 0 0"
		fi
	done <"$out/tests/list"
	[ "$t_runner" = kselftest ] && busybox_initramfs
} >"$out/initramfs.list"
# Once per content: the list and every file in it decide the archive.
t_stage tests
cpio_key=$({ cat "$out/initramfs.list"
	awk '$1 == "file" { print $3 }' "$out/initramfs.list" | xargs sha256sum; } |
	sha256sum | cut -c1-16)
# A directory per run name: runs side by side never delete each other's
# archive (a name-prefix glob did: "mmu-riscv64-*" is also the debug
# target's).
cpio=$XIPMAP_CACHE/initramfs/${run_name:-$t_name}/$cpio_key.cpio
if [ ! -f "$cpio" ]; then
	mkdir -p "$(dirname "$cpio")"
	rm -f "$(dirname "$cpio")"/*.cpio
	"$k_cpio" "$out/initramfs.list" >"$cpio.tmp" && mv "$cpio.tmp" "$cpio" ||
		xm_die "gen_init_cpio failed"
fi
t_stage initramfs

# printk.devkmsg=on: the tests announce the kernel messages they provoke on
# purpose through /dev/kmsg (qemu/judge), which must not be rate limited.
append="console=$t_console rdinit=/init panic=-1 printk.devkmsg=on XIPMAP_MODE=$mode"
[ "$t_runner" = kselftest ] && append="$append XIPMAP_RUNNER=kselftest"
[ -n "$t_append" ] && append="$append $t_append"
[ -n "$extra_append" ] && append="$append $extra_append"
[ -n "$inject" ] && append="$append XIPMAP_INJECT=$inject"
# The kernel command line splits at spaces: init turns '+' back into ' '.
[ -n "$t_module_params" ] && append="$append XIPMAP_PARAMS=${t_module_params// /+}"
[ "$t_module" = dkms ] && append="$append XIPMAP_KMOD=1"
[ -n "${modprobe_arg:-}" ] && append="$append XIPMAP_MODPROBE=$modprobe_arg"
[ -n "$known_bugs" ] && append="$append XIPMAP_KNOWN_BUGS=1"
# A kernel with patches: the known bugs they fix, for the tests (xt_fixed()).
[ -n "$t_fixes" ] && append="$append XIPMAP_FIXED=${t_fixes// /,}"
[ -n "$table" ] && append="$append XIPMAP_CONFORM_TABLE=1"
# The kernel command line splits at spaces: init turns '+' back into ' '.
[ -n "$conform" ] && append="$append XIPMAP_CONFORM_ARGS=${conform// /+}"
[ -n "$bench" ] && append="$append XIPMAP_BENCH_ARGS=${bench// /+}"
# boot_stub: the target's boot stub (qemu/boot/$t_boot.S) built for its
# load addresses, once per source, addresses and compiler.  Sets stub.
boot_stub() {
	local src=$XIPMAP_TOP/qemu/boot/$t_boot.S key

	[ -f "$src" ] || xm_die "$t_name: no boot stub $src"
	key=$({ cat "$src"; echo "$t_load_kernel $t_load_dtb"
		"${t_cross}gcc" --version | head -1; } | sha256sum | cut -c1-16)
	stub=$XIPMAP_CACHE/tools/boot-$t_boot-$key.elf
	[ -f "$stub" ] && return 0
	mkdir -p "$XIPMAP_CACHE/tools"
	"${t_cross}gcc" -nostdlib -static -DKERNEL_ENTRY="$t_load_kernel" \
		-DDTB_ADDR="$t_load_dtb" -Wl,-Ttext=0 -Wl,-e,reset -Wl,--build-id=none \
		-o "$stub.tmp" "$src" || xm_die "$t_name: cannot build $src"
	mv "$stub.tmp" "$stub"
}

# How QEMU enters the kernel: its own -kernel/-initrd/-append, or, on a
# board without firmware, the boot stub with the pieces placed by QEMU's
# generic loader and the command line and initramfs written into the
# device tree's /chosen (fdtput, from device-tree-compiler).
if [ -n "$t_boot" ]; then
	boot_stub
	cp "$k_build/$t_dtb" "$out/board.dtb"
	initrd_end=$(printf '0x%x' $((t_load_initrd + $(stat -c %s "$cpio"))))
	fdtput -p -t s "$out/board.dtb" /chosen bootargs "$append" &&
	fdtput -t x "$out/board.dtb" /chosen linux,initrd-start "$t_load_initrd" &&
	fdtput -t x "$out/board.dtb" /chosen linux,initrd-end "$initrd_end" ||
		xm_die "$t_name: cannot write /chosen into $out/board.dtb"
	boot=(-kernel "$stub"
		-device "loader,file=$k_image,addr=$t_load_kernel"
		-device "loader,file=$cpio,addr=$t_load_initrd"
		-device "loader,file=$out/board.dtb,addr=$t_load_dtb")
else
	boot=(-kernel "$k_image" -initrd "$cpio" -append "$append" "${flash_args[@]}")
fi

xm_log "$t_name: booting $t_qemu (timeout ${timeout}s, log: $log)"
set +e
# shellcheck disable=SC2086
# QEMU's own messages go apart from the console: a warning of its
# (mps2's timer model says "Timer with delta zero, disabling") written into
# the middle of a TAP line would garble it.
timeout --kill-after=10 "$timeout" $t_qemu $t_qemu_args -nographic -no-reboot \
	"${boot[@]}" </dev/null >"$log" 2>"$out/qemu.stderr" &
qpid=$!
# A board that cannot power off halts once the kernel has done all it can
# (init powered off, or a panic): then the runner ends QEMU, and says so in
# the log.  A guest that never gets there is still a hang.
if [ "$t_poweroff" = none ]; then
	(
		halted='reboot: (Power down|Power off not available|System halted)|Reboot failed|end Kernel panic'
		while kill -0 $qpid 2>/dev/null; do
			sleep 1
			grep -qE "$halted" "$log" || continue
			sleep 1
			echo "xipmap-run: the kernel halted; QEMU ended by the runner" >>"$log"
			touch "$out/halted"
			kill -TERM $qpid	# timeout(1) passes it on to QEMU
			break
		done
	) &
fi
if [ -z "$quiet" ]; then
	# The demo is for reading: show what init and the demo print, not the
	# kernel's boot messages (they are all in the log, and judged below).
	if [ "$mode" = demo ]; then
		tail -n +1 --pid=$qpid -f "$log" 2>/dev/null | tr -d '\r' |
			grep -vE '^(<[0-9]>)?\[|kernel log (follows|ends)'
	else
		tail -n +1 --pid=$qpid -f "$log" 2>/dev/null | tr -d '\r'
	fi
fi
wait $qpid
qrc=$?
# Ended by the runner after the kernel halted: the guest's own end.
[ -f "$out/halted" ] && [ "$qrc" != 124 ] && [ "$qrc" != 137 ] && qrc=0
set -e
if [ "$qrc" != 0 ] && [ -s "$out/qemu.stderr" ]; then
	xm_log "$t_name: QEMU said (exit $qrc):"
	tail -5 "$out/qemu.stderr" >&2
fi
tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
t_stage guest
# xipmap-bench --csv: its rows, as the program printed them (init indents
# a program's output by "# "; its own comments start "# # ").
if [ -n "$bench" ]; then
	sed -n '/^# selftests: xipmap: xipmap-bench$/,/^\(not \)\{0,1\}ok [0-9]* selftests: xipmap: xipmap-bench/p' \
		"$log" | sed -n 's/^# \([^#].*,.*\)$/\1/p' >"$out/bench.csv"
fi

# checker_classes CONFIG: the report classes of qemu/judge that the
# injector's report=checkers must draw from a kernel built with CONFIG: one
# per bug detector it has (qemu/inject/xipmap_inject.c provokes them).
# KASAN, when there, catches the slab bugs before SLUB's own checks do.
checker_classes() {
	local c=() on

	on() { grep -qx "CONFIG_$1=y" "$k_config"; }
	on UBSAN_SHIFT && c+=(ubsan)
	on DEBUG_ATOMIC_SLEEP && c+=(atomic-sleep)
	if on KASAN_GENERIC; then
		c+=(kasan)
	elif on SLUB_DEBUG_ON; then
		c+=(slub)
	fi
	on KFENCE && c+=(kfence)
	on DEBUG_KMEMLEAK && c+=(kmemleak)
	on PROVE_LOCKING && c+=(lockdep)
	[ ${#c[@]} -gt 0 ] || xm_die "$t_name: --inject checkers: the kernel has no checker"
	local IFS=,
	echo "${c[*]}"
}

# The verdict is qemu/judge's, from the console log alone.  Only a whole,
# ordinary run is held to the target's pinned results; --tests compares
# the programs it ran.
judge=(--name "$t_name" --mode "$mode" --qemu-status "$qrc" --timeout "$timeout"
	--summary "$summary")
expected=$XIPMAP_TOP/qemu/expected/$t_name
if [ "$mode" = test ] && [ -z "$inject$known_bugs$conform$bench$params" ]; then
	judge+=(--expected "$expected")
	[ -n "$only" ] && judge+=(--only-ran)
fi
for a in "${allow[@]}"; do
	judge+=(--allow "$a")
done
[ "$inject" = checkers ] && judge+=(--checkers "$(checker_classes "$k_config")")
# A stock kernel apt offers now, not the one the target was checked with:
# each reason is that kernel's (xm_kernel_stock said so above).
[ -n "${k_new_package:-}" ] && judge+=(--fail-prefix "$k_new_package: ")
set +e
verdict=$(python3 "$XIPMAP_TOP/qemu/judge" "${judge[@]}" "$log")
jrc=$?
set -e
# Coverage of module/ from the counts the guest printed (a kernel with
# GCOV_KERNEL): a whole ordinary run is held to its pinned figures.
if [ "$t_module" = kbuild ] && grep -qx CONFIG_GCOV_KERNEL=y "$k_config" &&
	[ "$mode" = test ] && [ $jrc -le 1 ]; then
	cov=(--gcov "${t_cross}gcov" --build "$XIPMAP_CACHE/module/$t_name"
		--missed "$out/coverage-missed.txt")
	if [ -z "$inject$known_bugs$conform$bench$params$only" ]; then
		cov+=(--pinned "$expected.coverage")
		python3 "$XIPMAP_TOP/qemu/coverage.py" "${cov[@]:0:4}" --pin "$log" \
			>"$out/coverage.pin" 2>&1 || true
	fi
	set +e
	coverage=$(python3 "$XIPMAP_TOP/qemu/coverage.py" "${cov[@]}" "$log")
	crc=$?
	set -e
	verdict="$coverage"$'\n'"$verdict"
	if [ $crc -ne 0 ]; then
		jrc=1
		read -r p f s r x <"$summary" && echo "$p $((f + 1)) $s $((r + 1)) $x" >"$summary"
		verdict=$(echo "$verdict" | sed "s/^xipmap: $t_name: PASS\$/xipmap: $t_name: FAIL: coverage (above)/")
	fi
fi
t_stage judge
xm_log "$t_name: console log: $log"
xm_log "$t_name: stages: $t_stages; total ${SECONDS}s" \
	"(budget $([ -n "$k_built_now" ] && echo "cold ${t_budget_cold}" || echo "warm ${t_budget_warm}")s)"
echo "$verdict"
[ $jrc -le 1 ] || xm_die "$t_name: qemu/judge failed (exit $jrc)"
exit $jrc
