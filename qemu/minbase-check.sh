#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The README's commands on a minimal Debian 12, as a new user runs them.
#
#   qemu/minbase-check.sh DIR [COMMAND...]
#
# Makes DIR a `debootstrap --variant=minbase` Debian 12 (unless it is one
# already), gives it this machine's apt sources, installs git alone, clones
# this repository into it and runs, as root in a chroot, exactly what the
# README says: `apt-get install -y make`, then `make demo` and `make check`
# (or the COMMANDs given), with an empty cache.  Everything else the
# commands need they must install themselves.  Each command's output goes
# to DIR/root/<command>.log; the last lines are shown.  Needs root,
# debootstrap, and about 15 GB in DIR.

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?usage: $0 DIR [COMMAND...]}
shift
[ $# -gt 0 ] || set -- "make demo" "make check"
[ "$(id -u)" = 0 ] || { echo "minbase-check: run as root" >&2; exit 1; }

if [ ! -x "$dir/usr/bin/apt-get" ]; then
	command -v debootstrap >/dev/null ||
		{ apt-get update -qq && apt-get install -y -qq debootstrap; }
	debootstrap --variant=minbase bookworm "$dir" http://deb.debian.org/debian
fi
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
	cp /etc/apt/sources.list.d/debian.sources "$dir/etc/apt/sources.list.d/"
	rm -f "$dir/etc/apt/sources.list"
fi
cp /etc/resolv.conf "$dir/etc/resolv.conf"

mounted=()
for m in proc sys dev dev/pts; do
	mountpoint -q "$dir/$m" || { mount --bind "/$m" "$dir/$m" && mounted=("$dir/$m" "${mounted[@]}"); }
done
trap 'for m in "${mounted[@]}"; do umount "$m"; done' EXIT

in_chroot() {
	chroot "$dir" /usr/bin/env -i HOME=/root TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/bash -c "$1"
}

in_chroot 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git >/dev/null'
rm -rf "$dir/root/xipmap" "$dir/root/.cache/xipmap"
git clone -q "$top" "$dir/root/xipmap"
in_chroot 'dpkg-query -W -f="\${Package}\n" | wc -l | sed "s/^/minbase-check: packages installed before the README: /"'

# The README's one install step, then its commands.
status=0
for cmd in "apt-get install -y make" "$@"; do
	log=$dir/root/${cmd// /-}.log
	start=$SECONDS
	if in_chroot "cd /root/xipmap && $cmd" >"$log" 2>&1; then
		echo "minbase-check: '$cmd' passed in $((SECONDS - start)) s ($log)"
	else
		echo "minbase-check: '$cmd' FAILED after $((SECONDS - start)) s ($log):"
		status=1
	fi
	tail -3 "$log" | sed 's/^/    /'
	[ $status = 0 ] || break
done
exit $status
