#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: what execute-in-place saves, measured on every target that
# has bench_params (qemu/targets/), and docs/performance.md made from it.
#
#   qemu/bench.sh [--reps N] [--targets "T..."] [--no-spread]
#
# Each target boots with QEMU's instruction counting (run.sh --icount:
# guest time follows the instructions executed, so two runs give the same
# figures) and xipmap.ko loaded with the target's bench_params, and runs
# xipmap-bench --csv (selftests/xipmap/xipmap-bench.c); its CSV goes to
# docs/performance/<target>.csv.  Then the run-to-run spread, shown once:
# nommu-riscv64 twice with -icount and twice without, fewer kinds
# (docs/performance/spread-<icount|plain>-<1|2>.csv).  Last,
# qemu/bench-report.py draws the plots with gnuplot (PNG and SVG, in
# docs/performance/) and rewrites the generated parts of
# docs/performance.md from the CSVs: no figure there is typed by hand.
# A run whose guest fails (qemu/judge) fails the benchmark.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

reps=15 targets="" spread=1
while [ $# -gt 0 ]; do
	case $1 in
	--reps) reps=$2; shift ;;
	--targets) targets=$2; shift ;;
	--no-spread) spread="" ;;
	*) xm_die "usage: $0 [--reps N] [--targets \"T...\"] [--no-spread]" ;;
	esac
	shift
done
if [ -z "$targets" ]; then
	for t in $(xm_targets); do
		xm_load_target "$t"
		[ -n "$t_bench_params" ] && targets="$targets $t"
	done
fi
[ -n "$targets" ] || xm_die "no target has bench_params"

docs=$XIPMAP_TOP/docs/performance
mkdir -p "$docs"
xm_require_packages gnuplot-nox

# bench_run TARGET NAME ARGS...: xipmap-bench on TARGET with run.sh ARGS;
# its CSV into $docs/NAME.csv.
bench_run() {
	local t=$1 name=$2 out start=$SECONDS
	shift 2

	xm_load_target "$t"
	[ -n "$t_bench_params" ] || xm_die "$t: no bench_params in qemu/targets/$t"
	xm_log "bench: $t ($name)"
	out=$XIPMAP_CACHE/run/bench-$name
	if ! "$XIPMAP_TOP/qemu/run.sh" --quiet --target "$t" --run-name "bench-$name" \
		--params "$t_bench_params" "$@" >"$XIPMAP_CACHE/bench-$name.out" 2>&1; then
		tail -20 "$XIPMAP_CACHE/bench-$name.out" >&2
		xm_die "bench: $t ($name) failed (console log: $out/console.log)"
	fi
	[ "$(grep -c '' "$out/bench.csv" 2>/dev/null || echo 0)" -gt 1 ] ||
		xm_die "bench: $t ($name): no CSV in $out/console.log"
	cp "$out/bench.csv" "$docs/$name.csv"
	xm_log "bench: $t ($name): $(($(grep -c '' "$docs/$name.csv") - 1)) rows in" \
		"$((SECONDS - start)) s, docs/performance/$name.csv"
}

for t in $targets; do
	bench_run "$t" "$t" --icount --bench "--csv --reps $reps"
done
if [ -n "$spread" ]; then
	kinds=direct,copy-nand,xipramfs,anon
	for i in 1 2; do
		bench_run nommu-riscv64 "spread-icount-$i" --icount \
			--bench "--csv --reps $reps --kinds $kinds"
		bench_run nommu-riscv64 "spread-plain-$i" \
			--bench "--csv --reps $reps --kinds $kinds"
	done
fi
python3 "$XIPMAP_TOP/qemu/bench-report.py" --docs "$XIPMAP_TOP/docs" $targets
