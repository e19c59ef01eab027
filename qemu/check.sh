#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The README's test command (make check).
#
#   qemu/check.sh            every target, then the runner's own proofs
#   qemu/check.sh TARGET     one target only
#
# Each target runs the whole kselftest suite in its guest (qemu/run.sh).
# The proofs then break a run on purpose in each way the runner must
# catch, and check it fails with the right reason.  The last line adds it
# all up: "N passed, N failed, N skipped".

set -uo pipefail
. "$(dirname "$0")/lib.sh"

passed=0 failed=0 skipped=0 xfail=0

count_run() {
	local summary=$XIPMAP_CACHE/run/$1/summary p f s reasons x

	if [ -f "$summary" ] && read -r p f s reasons _ x <"$summary"; then
		passed=$((passed + p)) skipped=$((skipped + s)) xfail=$((xfail + x))
		# A red run with no failing test (a WARN, a bad unload) still counts.
		[ "$reasons" -gt 0 ] && [ "$f" -eq 0 ] && f=1
		failed=$((failed + f))
	else
		tail -40 "$XIPMAP_CACHE/run-$1.out"
		echo "xipmap: $1: the run ended before judging (above: the end of its output)"
		failed=$((failed + 1))
	fi
}

# prove FAULT PATTERN [run.sh options]: the injected fault must make the run
# fail with a reason matching PATTERN.
prove() {
	local fault=$1 pattern=$2 out rc
	shift 2

	out=$("$XIPMAP_TOP/qemu/run.sh" --quiet --inject "$fault" "$@" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && grep -qE "FAIL: $pattern" <<<"$out"; then
		echo "ok - runner: injected '$fault' fails the run ($(grep -m1 -E "FAIL: $pattern" <<<"$out" | sed 's/.*FAIL: //' | cut -c1-90))"
		passed=$((passed + 1))
	else
		echo "not ok - runner: injected '$fault' should fail the run with '$pattern' (exit $rc):"
		sed 's/^/#   /' <<<"$out" | tail -15
		failed=$((failed + 1))
	fi
}

# conform ARGS EXPECT: xipmap-conform pointed at a device with a profile
# written as a driver author would, on the command line.  EXPECT is pass,
# or a pattern the failing run must show.
conform() {
	local args=$1 expect=$2 out rc

	out=$("$XIPMAP_TOP/qemu/run.sh" --quiet --conform "$args" 2>&1)
	rc=$?
	if [ "$expect" = pass ] && [ $rc -eq 0 ]; then
		echo "ok - xipmap-conform $args: $(grep -E '^[0-9]+ passed' <<<"$out")"
		passed=$((passed + 1))
	elif [ "$expect" != pass ] && [ $rc -ne 0 ] && grep -qE "$expect" \
		"$XIPMAP_CACHE/run/nommu-riscv64/console.log"; then
		echo "ok - xipmap-conform $args: fails, as it must ($(grep -m1 -E "$expect" \
			"$XIPMAP_CACHE/run/nommu-riscv64/console.log" | sed 's/^# # //' | cut -c1-80))"
		passed=$((passed + 1))
	else
		echo "not ok - xipmap-conform $args: expected '$expect' (exit $rc):"
		sed 's/^/#   /' <<<"$out" | tail -15
		failed=$((failed + 1))
	fi
}

# known_bug TESTS PATTERN: a test that trips a known 6.12 WARN (skipped in
# the normal run) run with --known-bugs: its cases must pass, and the run
# must fail only for a WARNING at PATTERN and the W taint a WARN leaves.
known_bug() {
	local tests=$1 pattern=$2 out reasons other last

	out=$("$XIPMAP_TOP/qemu/run.sh" --quiet --known-bugs --tests "$tests" 2>&1)
	reasons=$(grep 'FAIL: ' <<<"$out" | sed 's/.*FAIL: //')
	other=$(grep -vE "^kernel reported a problem: WARNING: .* at $pattern|^kernel tainted: [0-9]+ \(flags W besides O and E\)$" <<<"$reasons")
	last=$(tail -1 <<<"$out")
	if [[ $last =~ ^[1-9][0-9]*\ passed,\ 0\ failed ]] && [ -z "$other" ] &&
		grep -qE "WARNING: .* at $pattern" <<<"$reasons"; then
		echo "ok - known 6.12 bug, run with --known-bugs: $tests passes ($last); the kernel WARNs at $pattern"
		passed=$((passed + 1))
	else
		echo "not ok - $tests with --known-bugs: expected its tests to pass and only a WARNING at $pattern:"
		sed 's/^/#   /' <<<"$out" | tail -15
		failed=$((failed + 1))
	fi
}

start=$(date +%s)
if [ $# -gt 0 ]; then
	targets=$*
	proofs=""
else
	targets=$(xm_targets)
	proofs=1
fi

mkdir -p "$XIPMAP_CACHE"
rm -f "$XIPMAP_CACHE"/run/*/summary
for t in $targets; do
	echo "=== $t"
	"$XIPMAP_TOP/qemu/run.sh" --target "$t" --quiet >"$XIPMAP_CACHE/run-$t.out" 2>&1
	# The TAP the guest printed, then the runner's verdict.
	grep -E '^(TAP version|1\.\.|ok |not ok |# )' "$XIPMAP_CACHE/run/$t/console.log" 2>/dev/null
	grep -E '^xipmap: ' "$XIPMAP_CACHE/run-$t.out" | grep -v ': building\|: booting\|cached in'
	count_run "$t"
done

if [ -n "$proofs" ]; then
	echo "=== the runner's own tests (nommu-riscv64)"
	prove fail 'test failed: .*inject_fail'
	prove warn 'kernel reported a problem: .*WARNING'
	prove hang 'guest hung' --timeout 60
	prove loadfail 'module failed to load'
	prove unloadfail 'module failed to unload'
	prove taint 'kernel tainted: .*flags U'
	# Unrelocated, reloc_test either fails its checks or crashes; on no-MMU
	# RISC-V a crash at a wild address also oopses the kernel's register
	# dump (docs/conformance.md).  Either way the run must name it.
	prove noreloc '(test failed: .*|kernel reported a problem: .*)reloc_test'
	echo "=== xipmap-conform with a profile given on its command line (nommu-riscv64)"
	conform "/dev/xipflash1 --caps direct,copy,read,write,exec" pass
	# The same device, claimed without exec: PROT_EXEC must then be copied
	# or refused, and the device maps it in place.
	conform "/dev/xipflash1 --caps direct,copy,read,write" \
		'PROT_EXEC: mmap: expected (a copy|EINVAL).*got direct'
	echo "=== known 6.12 bugs (nommu-riscv64, docs/conformance.md)"
	# A private or anonymous mapping larger than free memory: ENOMEM, as it
	# should, after a WARN in the page allocator (conformance.md 22).
	known_bug demand_paging 'mm/page_alloc.c:[0-9]+ __alloc_pages'
fi

echo "xipmap: check took $(( $(date +%s) - start ))s"
[ "$xfail" -gt 0 ] &&
	echo "xipmap: $xfail of the passes are XFAIL: known deviations of the kernel's own mmap providers, explained in docs/peers.md"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
