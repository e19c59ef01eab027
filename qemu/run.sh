#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build everything for one target, boot it in QEMU and judge the run.
#
#   qemu/run.sh [--target NAME] [--demo] [--inject FAULT] [--timeout SECONDS]
#               [--tests "PROG..."] [--known-bugs] [--table] [--conform "ARGS"]
#               [--quiet]
#
# The whole console log is kept in $XIPMAP_CACHE/run/<target>/console.log.
# The run fails, with one line per reason, when a test fails, the module
# does not load or unload, the guest hangs, the kernel prints an Oops, BUG,
# WARNING or panic, or /proc/sys/kernel/tainted ends with a flag other than
# O (out-of-tree module) or E (unsigned module).  The last line is always
# "N passed, N failed, N skipped".
#
# --known-bugs also runs the tests that trip known 6.12 bugs (a WARN), which
# are skipped otherwise; such a run fails, showing the bug.
# --table makes xipmap-conform print, for each provider, a table of every
# combination with what the document expects and what happened
# (docs/peers.md is made from it).
# --conform "ARGS" runs xipmap-conform with ARGS instead of its built-in
# profiles (e.g. --conform "/dev/xipflash1 --caps direct,copy,read").
# --tests runs only the named test programs (selftests/xipmap), in order.
# --inject breaks a run on purpose, to prove the runner catches it
# (qemu/check.sh does): fail (a failing test), warn (a module WARNs),
# hang (init never powers off), loadfail (a bad module parameter),
# unloadfail (a mapping outlives the tests), taint (a foreign taint flag),
# noreloc (the test programs start without applying their relocations).

set -euo pipefail
. "$(dirname "$0")/lib.sh"

target=nommu-riscv64 mode=test inject="" timeout=300 quiet="" only="" known_bugs="" table="" conform=""
while [ $# -gt 0 ]; do
	case $1 in
	--target) target=$2; shift ;;
	--demo) mode=demo ;;
	--inject) inject=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--tests) only=$2; shift ;;
	--known-bugs) known_bugs=1 ;;
	--table) table=1 ;;
	--conform) conform=$2; shift ;;
	--quiet) quiet=1 ;;
	*) xm_die "usage: $0 [--target NAME] [--demo] [--inject FAULT] [--timeout S] [--tests LIST] [--known-bugs] [--table] [--conform ARGS] [--quiet]" ;;
	esac
	shift
done
[ -n "$conform" ] && [ -z "$only" ] && only=xipmap-conform
case $inject in
""|fail|warn|hang|loadfail|unloadfail|taint|noreloc) ;;
*) xm_die "unknown fault '$inject'" ;;
esac

xm_load_target "$target"
xm_require_packages $XIPMAP_BASE_PACKAGES $t_packages
xm_kernel_source
xm_kernel_build

out=$XIPMAP_CACHE/run/$t_name
rm -rf "$out"
mkdir -p "$out"
log=$out/console.log
summary=$out/summary

# xm_module DIR SRC...: build an out-of-tree module exactly as a user would,
# with W=1, and refuse any compiler warning.
xm_module() {
	local dir=$1 blog
	shift
	rm -rf "$dir" && mkdir -p "$dir" && cp -r "$@" "$dir"/
	blog=$dir.log
	if ! xm_kmake M="$dir" W=1 modules >"$blog" 2>&1; then
		cat "$blog" >&2
		xm_die "$t_name: module build failed in $dir"
	fi
	if grep -q 'warning:' "$blog"; then
		grep -B2 -A4 'warning:' "$blog" >&2
		xm_die "$t_name: the module build has warnings"
	fi
}

# xm_module_dkms: build and install xipmap.ko with DKMS from dkms.conf for
# the target's kernel, as a packaged source would be (dkms add, build,
# install), and refuse any compiler warning.  Every xipmap DKMS knows is
# removed first, with its /usr/src copy, so that the build always uses the
# sources of this tree.  Sets module_ko to the installed module.
xm_module_dkms() {
	local version src=$out/dkms-src log=$out/dkms.log v mlog

	[ "$(id -u)" = 0 ] ||
		xm_die "$t_name: DKMS installs into /usr/src and /lib/modules: run as root"
	version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$XIPMAP_TOP/dkms.conf")
	[ -n "$version" ] || xm_die "dkms.conf: no PACKAGE_VERSION"
	for v in $(dkms status -m xipmap | sed -n 's|^xipmap/\([^,:]*\)[,:].*|\1|p' | sort -u); do
		dkms remove -m xipmap -v "$v" --all >>"$log" 2>&1 ||
			{ cat "$log" >&2; xm_die "$t_name: dkms remove xipmap/$v failed"; }
		rm -rf "/usr/src/xipmap-$v"
	done
	rm -rf "/usr/src/xipmap-$version"
	# The source package: what a packager ships to /usr/src.
	mkdir -p "$src"
	cp -r "$XIPMAP_TOP"/{dkms.conf,Kbuild,module,uapi} "$src"/
	if ! { dkms add "$src" && dkms build -m xipmap -v "$version" -k "$k_release" &&
	       dkms install -m xipmap -v "$version" -k "$k_release"; } >>"$log" 2>&1; then
		cat "$log" >&2
		mlog=/var/lib/dkms/xipmap/$version/build/make.log
		[ -f "$mlog" ] && tail -30 "$mlog" >&2
		xm_die "$t_name: DKMS failed to build or install xipmap $version for $k_release"
	fi
	cp "/var/lib/dkms/xipmap/$version/$k_release/$(uname -m)/log/make.log" \
		"$out/dkms-make.log" 2>/dev/null ||
		cp "/var/lib/dkms/xipmap/$version/build/make.log" "$out/dkms-make.log"
	if grep -q 'warning:' "$out/dkms-make.log"; then
		grep -B2 -A4 'warning:' "$out/dkms-make.log" >&2
		xm_die "$t_name: the DKMS build has warnings"
	fi
	dkms status -m xipmap | while read -r line; do
		xm_log "$t_name: dkms status: $line"
	done
	dkms status -m xipmap -v "$version" -k "$k_release" | grep -q ': installed' ||
		xm_die "$t_name: dkms status does not show xipmap $version installed for $k_release"
	module_ko=$(modinfo -k "$k_release" -n xipmap) ||
		xm_die "$t_name: modinfo -k $k_release finds no xipmap"
	case $module_ko in
	"/lib/modules/$k_release/updates/dkms/xipmap.ko") ;;
	*) xm_die "$t_name: xipmap is at $module_ko, not where DKMS installs it" ;;
	esac
}

if [ "$t_module" = dkms ]; then
	xm_log "$t_name: building and installing xipmap.ko with DKMS (log: $out/dkms.log)"
	xm_module_dkms
else
	xm_log "$t_name: building xipmap.ko"
	xm_module "$out/module" "$XIPMAP_TOP/Kbuild" "$XIPMAP_TOP/module" "$XIPMAP_TOP/uapi"
	module_ko=$out/module/xipmap.ko
fi
[ "$inject" = warn ] && xm_module "$out/inject" "$XIPMAP_TOP"/qemu/inject/{Kbuild,xipmap_inject.c}

xm_log "$t_name: building the tests and init"
user_make=(KSRC="$k_src" KHDR="$k_uapi" CROSS_COMPILE="$t_cross")
start_cflags=""
[ "$inject" = noreloc ] && start_cflags=-DXIPMAP_NO_RELOCATION
make -s -C "$XIPMAP_TOP/selftests/xipmap" "${user_make[@]}" OUTPUT="$out/tests" \
	NOLIBC_START_CFLAGS="$start_cflags" >&2 ||
	xm_die "$t_name: building the tests failed"
make -s -C "$XIPMAP_TOP/qemu" "${user_make[@]}" OUTPUT="$out/init" >&2 ||
	xm_die "$t_name: building init failed"
make -s -C "$XIPMAP_TOP/selftests/xipmap" "${user_make[@]}" list >"$out/tests/list"
if [ -n "$only" ]; then
	for t in $only; do
		grep -qx "$t" "$out/tests/list" || xm_die "--tests: no test program $t"
	done
	printf '%s\n' $only >"$out/tests/list"
fi
[ "$inject" = fail ] && cp "$out/init/inject_fail" "$out/tests/" &&
	echo inject_fail >>"$out/tests/list"

# Directories the initramfs list below already makes.
declare -A cpio_dirs=([/dev]=1 [/proc]=1 [/sys]=1 [/bin]=1 [/lib]=1 [/lib/modules]=1
	[/tests]=1 [/boot]=1)

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
		file=$(find "$dir/kernel" \( -name "$name.ko" -o -name "${name//_/-}.ko" \) \
			-print -quit)
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
	cpio_entry file "$module_ko" "$module_ko" 0644 0 0
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
	# The kernel's configuration where Debian keeps it, for tests that
	# depend on an option (they read /boot/config-$(uname -r)).
	echo "dir /boot 0755 0 0"
	echo "file /boot/config-$k_release $k_config 0644 0 0"
	echo "file /init $out/init/init 0755 0 0"
	echo "file /lib/modules/xipmap.ko $module_ko 0644 0 0"
	[ "$t_module" = dkms ] && kmod_initramfs
	[ "$inject" = warn ] &&
		echo "file /lib/modules/xipmap_inject.ko $out/inject/xipmap_inject.ko 0644 0 0"
	echo "file /bin/xipmap_demo $out/tests/xipmap_demo 0755 0 0"
	echo "file /tests/list $out/tests/list 0644 0 0"
	while read -r t; do
		echo "file /tests/$t $out/tests/$t 0755 0 0"
	done <"$out/tests/list"
} >"$out/initramfs.list"
"$k_cpio" "$out/initramfs.list" >"$out/initramfs.cpio" ||
	xm_die "gen_init_cpio failed"

append="console=$t_console rdinit=/init panic=-1 XIPMAP_MODE=$mode"
[ -n "$inject" ] && append="$append XIPMAP_INJECT=$inject"
[ "$t_module" = dkms ] && append="$append XIPMAP_KMOD=1"
[ -n "${modprobe_arg:-}" ] && append="$append XIPMAP_MODPROBE=$modprobe_arg"
[ -n "$known_bugs" ] && append="$append XIPMAP_KNOWN_BUGS=1"
[ -n "$table" ] && append="$append XIPMAP_CONFORM_TABLE=1"
# The kernel command line splits at spaces: init turns '+' back into ' '.
[ -n "$conform" ] && append="$append XIPMAP_CONFORM_ARGS=${conform// /+}"
xm_log "$t_name: booting $t_qemu (timeout ${timeout}s, log: $log)"
start=$(date +%s)
set +e
# shellcheck disable=SC2086
timeout --kill-after=10 "$timeout" $t_qemu $t_qemu_args -nographic -no-reboot \
	-kernel "$k_image" -initrd "$out/initramfs.cpio" -append "$append" \
	</dev/null >"$log" 2>&1 &
qpid=$!
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
set -e
elapsed=$(( $(date +%s) - start ))
tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"

# Judge the run from the console log.
reasons=()
fail() { reasons+=("$*"); }

if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	last=$(grep -E '^(xipmap-init:|# selftests:)' "$log" | tail -1)
	fail "guest hung: no power-off within ${timeout}s (last: ${last:-nothing from init})"
elif [ "$qrc" != 0 ]; then
	fail "$t_qemu exited with status $qrc"
fi
if line=$(grep -m1 'xipmap-init: module load failed' "$log"); then
	fail "module failed to load: ${line#xipmap-init: }"
fi
# The most telling line of a kernel problem, and the task it hit.
if line=$(grep -m1 -E 'Oops|BUG:|kernel BUG at|WARNING:|Kernel panic|Unable to handle kernel|general protection fault|page allocation failure|INFO: task .* blocked|rcu: INFO|UBSAN:|KASAN:' "$log") ||
   line=$(grep -m1 -E 'cut here' "$log"); then
	comm=$(grep -m1 -oE 'Comm: [^ ]+' "$log" | cut -d' ' -f2)
	fail "kernel reported a problem: ${line#*] }${comm:+ (task $comm)}"
fi
if line=$(grep -m1 'xipmap-init: module unload failed' "$log"); then
	fail "module failed to unload: ${line#xipmap-init: }"
fi
if line=$(grep -m1 '^xipmap-init: tainted ' "$log"); then
	taint=${line##* }
	[[ $taint =~ ^[0-9]+$ ]] || { fail "unreadable taint line: $line"; taint=0; }
	letters=PFSRMBUDAWCIOELKXTN bad="" bit=0
	while [ $bit -lt ${#letters} ]; do
		if (( (taint >> bit) & 1 )) && [ $bit != 12 ] && [ $bit != 13 ]; then
			bad="$bad${letters:$bit:1}"
		fi
		bit=$((bit + 1))
	done
	[ -z "$bad" ] || fail "kernel tainted: $taint (flags $bad besides O and E)"
elif [ "$qrc" = 0 ]; then
	fail "init never reported /proc/sys/kernel/tainted"
fi
if [ "$qrc" = 0 ] && ! grep -q '^xipmap-init: done' "$log"; then
	fail "init did not finish"
fi
if grep -q '^xipmap-init: the demo failed' "$log"; then
	fail "the demo failed"
fi

# Test results: inner lines "# ok N name" belong to test cases, outer lines
# "ok N selftests: xipmap: prog" to programs.  A program that failed without
# a failing case (it crashed, timed out or exited early) counts as one more
# failure; a program that skipped as a whole counts as one skip.
# An XFAIL ("ok N # XFAIL reason") is a known deviation of one of the
# kernel's own mmap providers (xipmap-conform, docs/peers.md): it counts
# as passed, and is also counted apart.
passed=0 failed=0 skipped=0 xfail=0
if [ "$mode" = test ]; then
	read -r passed failed skipped xfail < <(awk '
		/^# (not )?ok [0-9]+ / {
			if ($0 ~ /# SKIP/) s++; else if ($2 == "ok") p++; else f++
			if ($2 == "ok" && $0 ~ /# XFAIL/) x++
			prog_fail += ($2 != "ok")
		}
		/^(not )?ok [0-9]+ selftests: / {
			if ($1 == "not" && prog_fail == 0) f++
			if ($1 == "ok" && $0 ~ /# SKIP/) s++
			prog_fail = 0
		}
		END { print p + 0, f + 0, s + 0, x + 0 }' "$log")
	while read -r line; do
		fail "test failed: ${line#not ok }"
	done < <(grep -E '^not ok [0-9]+ selftests: ' "$log" || true)
	plan=$(grep -m1 -E '^1\.\.[0-9]+$' "$log" | cut -c4- || true)
	ran=$(grep -cE '^(not )?ok [0-9]+ selftests: ' "$log" || true)
	if [ -n "$plan" ] && [ "$ran" -lt "$plan" ]; then
		fail "only $ran of $plan test programs reported"
		failed=$((failed + plan - ran))
	elif [ -z "$plan" ] && ! grep -q 'module load failed' "$log"; then
		fail "the test run never started"
	fi
	[ $((passed + failed + skipped)) -gt 0 ] || [ ${#reasons[@]} -gt 0 ] ||
		fail "no test results in the log"
fi

echo "$passed $failed $skipped ${#reasons[@]} $elapsed $xfail" >"$summary"
echo "xipmap: $t_name: guest ran ${elapsed}s; console log: $log"
for r in "${reasons[@]}"; do
	echo "xipmap: $t_name: FAIL: $r"
done
[ "$xfail" -gt 0 ] &&
	echo "xipmap: $t_name: $xfail of the passes are XFAIL: known deviations of the kernel's own providers (docs/peers.md)"
[ ${#reasons[@]} -eq 0 ] && echo "xipmap: $t_name: PASS"
[ "$mode" = test ] && echo "$passed passed, $failed failed, $skipped skipped"
[ ${#reasons[@]} -eq 0 ]
