#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Pin a target's results: qemu/expected/TARGET from its last whole run.
#
#   qemu/pin.sh TARGET...
#   qemu/pin.sh --names     qemu/expected/tap-names from every target's last run
#
# A whole run (qemu/run.sh --target TARGET) is held to qemu/expected/TARGET:
# per test program, how many cases passed, skipped and XFAILed, and which
# skipped or XFAILed; and, on a target whose kernel profiles the module
# (GCOV_KERNEL), to the coverage figures in qemu/expected/TARGET.coverage.  Change it only on purpose, after a run whose results
# you have read, and say why in the commit message: a skip or an XFAIL must
# never grow unnoticed.  A stock kernel's target also gets the Debian
# version of the kernel that run booted (its banner, "... Debian
# 6.12.117-1~deb12u1 (date)") as checked_version= in qemu/targets/TARGET.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ "${1:-}" = --names ]; then
	# shellcheck disable=SC2046
	xm_tap_names $(xm_targets) >"$XIPMAP_TOP/qemu/expected/tap-names"
	xm_log "pinned $(wc -l <"$XIPMAP_TOP/qemu/expected/tap-names") case names in qemu/expected/tap-names"
	exit 0
fi

for t in "$@"; do
	xm_load_target "$t"
	log=$XIPMAP_CACHE/run/$t/console.log
	[ -f "$log" ] || xm_die "$t: no run to pin (qemu/run.sh --target $t first)"
	grep -q "^xipmap-init: done" "$log" || xm_die "$t: the last run did not finish"
	want=$(grep -cE '^[a-z_-]+$' "$XIPMAP_CACHE/run/$t/tests/list")
	all=$(make -s -C "$XIPMAP_TOP/selftests/xipmap" list | wc -l)
	[ "$want" = "$all" ] &&
		! grep -q 'Kernel command line:.*XIPMAP_\(INJECT\|KNOWN_BUGS\|CONFORM\)' "$log" ||
		xm_die "$t: the last run was not a whole, ordinary run"
	{
		echo "# Expected results of qemu/run.sh --target $t (qemu/judge --expected)."
		echo "# Per program: passed=, skipped=, xfail= counts, then each skip and XFAIL."
		echo "# Made by qemu/pin.sh from a run; change only on purpose, with the reason"
		echo "# in the commit message."
		python3 "$XIPMAP_TOP/qemu/judge" --pin "$log"
	} >"$XIPMAP_TOP/qemu/expected/$t"
	xm_log "$t: pinned $(grep -c ' passed=' "$XIPMAP_TOP/qemu/expected/$t") programs" \
		"in qemu/expected/$t"
	# A stock kernel: the version these results are that kernel's.
	if [ "$t_kind" = stock ]; then
		v=$(sed -n 's/.*Linux version .* Debian \([^ ]*\) (.*/\1/p' "$log" | head -1)
		[ -n "$v" ] || xm_die "$t: no Debian version in the kernel's banner ($log)"
		if grep -q '^checked_version=' "$t_file"; then
			sed -i "s/^checked_version=.*/checked_version=$v/" "$t_file"
		else
			echo "checked_version=$v" >>"$t_file"
		fi
		xm_log "$t: checked_version=$v in qemu/targets/$t"
	fi
	# A target whose kernel profiles the module: its coverage figures too.
	pin=$XIPMAP_CACHE/run/$t/coverage.pin
	if [ -s "$pin" ]; then
		grep -q '^lines ' "$pin" || xm_die "$t: $pin: $(cat "$pin")"
		cp "$pin" "$XIPMAP_TOP/qemu/expected/$t.coverage"
		xm_log "$t: pinned coverage ($(grep -v '^#' "$pin" | tr '\n' ' ')) in qemu/expected/$t.coverage"
	fi
done
