#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian package (debian/, docs/debian-package.md), built and checked
# as a user would install it.
#
#   qemu/deb.sh            build, lintian, then install, check and purge on
#                          this host for Debian's 6.1 and 6.12 kernels
#   qemu/deb.sh --build    only build xipmap-dkms (and lintian), unless the
#                          whole set is built; print its .deb's path
#   qemu/deb.sh --cached   as qemu/deb.sh, unless the host check passed
#                          with the same package, headers and dkms (make check)
#
# The packages are built with dpkg-buildpackage (source and binary) from a
# copy of the tree's files (git's tracked and untracked ones, not the
# ignored) into $XIPMAP_CACHE/deb/<key>, where <key> hashes every file's
# name and content and the versions of dpkg-dev, debhelper, dh-dkms and
# lintian: an edit is a new directory, never an old package.  lintian must
# report no error or warning (debian/*lintian-overrides say why each
# overridden tag is).
#
# The host check holds the DKMS lock the stock targets take (qemu/run.sh)
# and prints TAP: it installs linux-headers-<release> for Debian's current
# 6.1 (what linux-headers-amd64 depends on) and newest 6.12+deb12 amd64
# kernels if missing (they stay: the stock targets need them), removes any
# xipmap DKMS or dpkg already has (a stock target's, which its next run
# installs again), installs xipmap-dkms and xipmap-tests with apt-get,
# checks that DKMS built and installed xipmap for both releases and that
# reloc_test runs, then purges both and checks that nothing of them is
# left.  Exits non-zero on any failure.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

# xm_deb_files: the tree's files, one per line, relative to the top.
xm_deb_files() {
	if git -C "$XIPMAP_TOP" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$XIPMAP_TOP" ls-files -co --exclude-standard |
			while IFS= read -r f; do [ -f "$XIPMAP_TOP/$f" ] && echo "$f"; done
	else
		(cd "$XIPMAP_TOP" && find . -type f ! -path './.git/*' | sed 's|^\./||')
	fi | LC_ALL=C sort
}

# xm_deb_build [-A]: build the packages unless built from the same inputs:
# the source package and every binary package, or with -A only the
# architecture-independent one, xipmap-dkms (what the stock targets install:
# it takes seconds, the test programs a minute).  Sets deb_dir (the cache
# directory), deb (xipmap-dkms's .deb) and deb_version.
xm_deb_build() {
	local key version upstream tmp src log full indep

	# shellcheck disable=SC2086
	xm_require_packages $XIPMAP_DEB_PACKAGES
	version=$(cd "$XIPMAP_TOP" && dpkg-parsechangelog -SVersion)
	deb_version=$version
	upstream=${version%-*}
	key=$({ xm_deb_files | (cd "$XIPMAP_TOP" && tr '\n' '\0' | xargs -0 sha256sum)
		dpkg-query -W -f='${Package} ${Version}\n' dpkg-dev debhelper dh-dkms lintian
	} | sha256sum | cut -c1-16)
	full=$XIPMAP_CACHE/deb/$key indep=$XIPMAP_CACHE/deb/$key-indep
	for deb_dir in "$full" ${1:+"$indep"}; do
		deb=$deb_dir/xipmap-dkms_${version}_all.deb
		if [ -f "$deb_dir/ok" ] && [ -f "$deb" ]; then
			xm_log "deb: xipmap $version built from these sources in $deb_dir"
			return 0
		fi
	done
	deb_dir=$full
	[ -z "${1:-}" ] || deb_dir=$indep
	deb=$deb_dir/xipmap-dkms_${version}_all.deb
	xm_lock "$deb_dir"
	if [ -f "$deb_dir/ok" ] && [ -f "$deb" ]; then
		xm_unlock
		return 0
	fi
	xm_log "deb: building xipmap $version in $deb_dir"
	rm -rf "$deb_dir"
	mkdir -p "$XIPMAP_CACHE/deb"
	tmp=$(mktemp -d "$XIPMAP_CACHE/deb/.build.XXXXXX")
	chmod 755 "$tmp"
	src=$tmp/xipmap-$upstream
	mkdir -p "$src"
	xm_deb_files | (cd "$XIPMAP_TOP" && tar -cf - -T -) | tar -C "$src" -xf -
	# 3.0 (quilt): the upstream tarball is the tree without debian/.
	tar -C "$tmp" --exclude="xipmap-$upstream/debian" --sort=name --owner=0 --group=0 \
		--mtime="@$(cd "$XIPMAP_TOP" && dpkg-parsechangelog -STimestamp)" \
		-cJf "$tmp/xipmap_$upstream.orig.tar.xz" "xipmap-$upstream"
	log=$tmp/build.log
	if ! (cd "$src" && xm_progress "deb: dpkg-buildpackage" "$log" \
		dpkg-buildpackage -us -uc -j2 ${1:+"$1"}); then
		tail -30 "$log" >&2
		rm -rf "$tmp"
		xm_die "deb: dpkg-buildpackage failed"
	fi
	rm -rf "$src"
	# Lintian on the source and binary packages, with --pedantic -I and
	# the overridden tags shown (lintian.txt); any error or warning that
	# is not overridden (E: or W:) fails.
	lintian --pedantic -I --show-overrides --fail-on none "$tmp"/xipmap_*.changes \
		>"$tmp/lintian.out" 2>&1 ||
		{ cat "$tmp/lintian.out" >&2; rm -rf "$tmp"; xm_die "deb: lintian failed to run"; }
	grep -v '^running with root privileges' "$tmp/lintian.out" >"$tmp/lintian.txt" || true
	rm -f "$tmp/lintian.out"
	if grep -q '^[EW]: ' "$tmp/lintian.txt"; then
		cat "$tmp/lintian.txt" >&2
		rm -rf "$tmp"
		xm_die "deb: lintian reports errors or warnings"
	fi
	touch "$tmp/ok"
	mv "$tmp" "$deb_dir"
	xm_unlock
	# Builds of other trees a day old and more go (about 300 kB each).
	find "$XIPMAP_CACHE/deb" -mindepth 1 -maxdepth 1 -mmin +1440 \
		! -name "$(basename "$deb_dir")*" ! -name 'host.*' -exec rm -rf {} + 2>/dev/null || true
}

# Which releases the host check builds for: Debian's current 6.1 (the
# debian-amd64 target's) and its newest 6.12 backport kernel.
xm_deb_releases() {
	local r61 r612

	r61=$(apt-cache show --no-all-versions linux-headers-amd64 2>/dev/null |
		sed -n 's/^Depends: .*linux-headers-\(6\.1\.0-[0-9]*-amd64\).*/\1/p' | head -1)
	r612=$(apt-cache search --names-only '^linux-headers-6\.12\.[0-9]*\+deb12-amd64$' |
		cut -d' ' -f1 | sed 's/^linux-headers-//' | sort -V | tail -1)
	if [ -z "$r61" ] || [ -z "$r612" ]; then
		xm_die "deb: apt knows no 6.1 or 6.12 amd64 headers"
	fi
	echo "$r61 $r612"
}

# apt-get, waiting for dpkg's lock when another apt-get holds it.
apt() {
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -y "$@"
}

# tap ok|fail MESSAGE: one TAP line.  tap_none LEFT OK FAIL: "ok - OK"
# when LEFT (what is left of the package) is empty, else "not ok - FAIL".
n=0 failures=0
tap_none() {
	if [ -z "$1" ]; then
		tap ok "$2"
	else
		tap fail "$3"
	fi
}
tap() {
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failures=$((failures + 1))
	fi
}

# host_check: the packages of $deb_dir installed, checked and purged on
# this host for $r61 and $r612, in TAP.
host_check() {
	local log=$deb_dir/host.log start r how status mlog ko left v p
	local tests

	tests=$deb_dir/xipmap-tests_${deb_version}_$(dpkg --print-architecture).deb

	echo "deb: $deb_dir"
	tap ok "dpkg-buildpackage: $(cd "$deb_dir" && echo ./*.deb ./*.dsc | sed 's|\./||g')"
	tap ok "lintian --pedantic -I: no error or warning ($(grep -c '^[IPX]: ' \
		"$deb_dir/lintian.txt") info or pedantic tags, $(grep -c '^O: ' \
		"$deb_dir/lintian.txt") overridden)"
	grep -v '^N: ' "$deb_dir/lintian.txt" | sed 's/^/# /'

	: >"$log"

	xm_log "deb: waiting for the DKMS lock (a stock run holds it while it installs)"
	xm_lock "$XIPMAP_CACHE/dkms/all"
	# What DKMS or dpkg has of xipmap now is a stock target's (or an old
	# tree's): it goes, as a package's postinst would replace it.
	if dpkg-query -W -f='${Status}\n' xipmap-dkms 2>/dev/null | grep -q ' installed$'; then
		echo "# xipmap-dkms was installed (a stock target's run installs it): purged first"
		apt purge xipmap-dkms >>"$log" 2>&1
	fi
	if dpkg-query -W -f='${Status}\n' xipmap-tests 2>/dev/null | grep -q ' installed$'; then
		echo "# xipmap-tests was installed: purged first"
		apt purge xipmap-tests >>"$log" 2>&1
	fi
	for v in $(dkms status -m xipmap 2>/dev/null | sed -n 's|^xipmap/\([^,:]*\)[,:].*|\1|p' | sort -u); do
		echo "# xipmap/$v was in DKMS, not from the package: removed first"
		dkms remove -m xipmap -v "$v" --all >>"$log" 2>&1
		rm -rf "/usr/src/xipmap-$v"
	done

	xm_log "deb: apt-get install $deb $tests"
	start=$SECONDS
	if apt install --no-install-recommends "$deb" "$tests" >>"$log" 2>&1; then
		tap ok "apt-get install $(basename "$deb") $(basename "$tests") ($((SECONDS - start)) s; \
the postinst: $(grep -m1 '^Building for ' "$log" | tr -d '\r' || echo 'no Building line'))"
	else
		tap fail "apt-get install $(basename "$deb") $(basename "$tests")"
		tail -30 "$log" | sed 's/^/# /'
	fi
	for r in "$r61" "$r612"; do
		how="by the postinst"
		if ! dkms status -m xipmap -v "$version" -k "$r" 2>/dev/null | grep -q ': installed'; then
			# What a user does for a kernel the postinst did not build for.
			how="by dkms autoinstall -k $r (the postinst did not build for it)"
			dkms autoinstall -k "$r" >>"$log" 2>&1 || true
		fi
		status=$(dkms status -m xipmap -v "$version" -k "$r" 2>/dev/null)
		if echo "$status" | grep -q ': installed'; then
			tap ok "dkms status: $status ($how)"
		else
			tap fail "dkms status for $r: '$status', not installed"
		fi
		mlog=/var/lib/dkms/xipmap/$version/$r/$(uname -m)/log/make.log
		if [ -f "$mlog" ] && ! grep -q 'warning:' "$mlog"; then
			tap ok "$r: the DKMS build has no compiler warning"
		else
			tap fail "$r: the DKMS build log ($mlog) is missing or has warnings"
			grep -B2 -A4 'warning:' "$mlog" 2>/dev/null | sed 's/^/# /'
		fi
		# Debian's 6.12 compresses its modules (CONFIG_MODULE_COMPRESS_XZ),
		# and DKMS does the same for xipmap: xipmap.ko.xz there.
		ko=$(modinfo -k "$r" -n xipmap 2>/dev/null || true)
		case $ko in
		"/lib/modules/$r/updates/dkms/xipmap.ko"|"/lib/modules/$r/updates/dkms/xipmap.ko."*)
			tap ok "$r: modinfo -n xipmap is $ko" ;;
		*) tap fail "$r: modinfo -n xipmap is '$ko', not /lib/modules/$r/updates/dkms/xipmap.ko*" ;;
		esac
	done
	# reloc_test needs no module; the other programs would load xipmap
	# (modprobe) into this host's kernel, which is not for a package check.
	if /usr/libexec/xipmap-tests/reloc_test >>"$log" 2>&1; then
		tap ok "xipmap-tests: /usr/libexec/xipmap-tests/reloc_test passes on this host"
	else
		tap fail "xipmap-tests: /usr/libexec/xipmap-tests/reloc_test failed"
	fi

	xm_log "deb: apt-get purge xipmap-dkms xipmap-tests"
	start=$SECONDS
	if apt purge xipmap-dkms xipmap-tests >>"$log" 2>&1; then
		tap ok "apt-get purge xipmap-dkms xipmap-tests ($((SECONDS - start)) s)"
	else
		tap fail "apt-get purge xipmap-dkms xipmap-tests"
		tail -30 "$log" | sed 's/^/# /'
	fi
	left=$(dkms status -m xipmap 2>/dev/null || true)
	tap_none "$left" "dkms status knows no xipmap" "dkms status still shows: $left"
	for r in "$r61" "$r612"; do
		left=$(ls "/lib/modules/$r/updates/dkms/xipmap.ko"* 2>/dev/null || true)
		tap_none "$left" "$r: no /lib/modules/$r/updates/dkms/xipmap.ko*" \
			"$r: still there: $left"
		left=$(modinfo -k "$r" -n xipmap 2>/dev/null || true)
		tap_none "$left" "$r: modinfo -k $r finds no xipmap (depmod ran)" \
			"$r: modinfo still finds xipmap: $left"
	done
	left=$(ls -d /usr/src/xipmap-* /var/lib/dkms/xipmap 2>/dev/null || true)
	tap_none "$left" "no /usr/src/xipmap-* and no /var/lib/dkms/xipmap" "still there: $left"
	left=$(ls -d /usr/libexec/xipmap-tests 2>/dev/null || true)
	tap_none "$left" "no /usr/libexec/xipmap-tests" "still there: $left"
	for p in xipmap-dkms xipmap-tests; do
		status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
		case $status in
		""|[up]n*) tap ok "dpkg: $p is purged (${status:-not known})" ;;
		*) tap fail "dpkg: $p is '$status', not purged" ;;
		esac
	done
	xm_unlock
	echo "1..$n"
	echo "deb: $((n - failures)) passed, $failures failed (host log: $log)"
	[ "$failures" -eq 0 ]
}

mode=${1:-}
case $mode in
""|--build|--cached) ;;
*) xm_die "usage: $0 [--build|--cached]" ;;
esac
if [ "$mode" = --build ]; then
	xm_deb_build -A
	echo "$deb"
	exit 0
fi
xm_deb_build
[ "$(id -u)" = 0 ] || xm_die "deb: installing a package needs root"
releases=$(xm_deb_releases)
r61=${releases% *} r612=${releases#* }
xm_require_packages "linux-headers-$r61" "linux-headers-$r612"
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$XIPMAP_TOP/dkms.conf")

# --cached (make check): a host check that passed with the same .deb
# (dpkg-buildpackage's output is reproducible: an edit that changes no
# installed file gives the same bytes), this script, the same headers
# packages and dkms is not run again; its TAP is shown as it was.
key=$({ sha256sum "$deb_dir"/*.deb | cut -d' ' -f1; sha256sum <"$0"
	dpkg-query -W -f='${Package} ${Version}\n' "linux-headers-$r61" "linux-headers-$r612" dkms
} | sha256sum | cut -c1-16)
kept=$XIPMAP_CACHE/deb/host
if [ "$mode" = --cached ] && [ "$(cat "$kept.key" 2>/dev/null)" = "$key" ]; then
	echo "deb: kept: the host check passed with the same package, headers and dkms ($key)"
	cat "$kept.tap"
	exit 0
fi
rm -f "$kept.key"
rc=0
host_check | tee "$kept.tap" || rc=$?
[ "$rc" -eq 0 ] && echo "$key" >"$kept.key"
exit "$rc"
