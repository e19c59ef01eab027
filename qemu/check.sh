#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The README's test command (make check).
#
#   qemu/check.sh            the judge's own tests, every target, the proofs
#   qemu/check.sh TARGET...  the judge's own tests and those targets only
#                            (debian-package: the Debian package's check)
#
# First qemu/judge_test.py checks the judge on stored console logs
# (qemu/judge-fixtures/), in milliseconds.  Then each target runs the whole
# kselftest suite in its guest (qemu/run.sh), two guests at a time, each
# held to its pinned results (qemu/expected/), the longest first.  The
# proofs then show the live path end to end: a failing test and a hung
# guest fail a run, xipmap-conform passes a right profile and fails a
# wrong one or a provider that is not there, each known 6.12 bug run on
# purpose shows exactly its report, each debug kernel's checkers report
# what the injector provokes, and Debian's kernel runs with its slab
# checks on.  A proof that passed is kept until its inputs change (the
# kernel build, QEMU, the module, tests, injector, init, runner or judge:
# kept_job), so a warm run with nothing changed does not boot it again.  Then
# make lint (qemu/lint.sh: checkpatch --strict, sparse, W=1 against every
# kernel) counts as one case, failed by any finding, and so does the Debian
# package (qemu/deb.sh: built, lintian, installed and purged on this host).  The last line adds it
# all up: "N passed, N failed, N skipped".

set -uo pipefail
. "$(dirname "$0")/lib.sh"

passed=0 failed=0 skipped=0 xfail=0
proofs_dir=$XIPMAP_CACHE/proofs
declare -A proof_key=()
start=$SECONDS
jobs_dir=$XIPMAP_CACHE/check
mkdir -p "$jobs_dir"
rm -f "$jobs_dir"/*.out "$jobs_dir"/*.rc

# job NAME CMD...: run CMD in the background, its output in NAME.out, at
# most XIPMAP_GUESTS (2) at a time.  While it waits, the last line of each
# running job is shown every 10 s, so that a long build is never silent.
declare -A job_pid=()
job_wait() {
	local limit=$1 name next=$((SECONDS + 10)) running

	while :; do
		running=()
		for name in "${!job_pid[@]}"; do
			if kill -0 "${job_pid[$name]}" 2>/dev/null; then
				running+=("$name")
			else
				wait "${job_pid[$name]}"
				unset "job_pid[$name]"
			fi
		done
		[ ${#running[@]} -lt "$limit" ] && return 0
		sleep 1
		[ "$SECONDS" -ge "$next" ] || continue
		next=$((SECONDS + 10))
		for name in "${running[@]}"; do
			echo "xipmap: check: $name: $(grep '^xipmap: ' "$jobs_dir/$name.out" |
				tail -1 | cut -c9-100)"
		done
	done
}
job() {
	local name=$1
	shift
	job_wait "${XIPMAP_GUESTS:-2}"
	( "$@" >"$jobs_dir/$name.out" 2>&1; echo $? >"$jobs_dir/$name.rc" ) &
	job_pid[$name]=$!
}

# count_run NAME: add up a target run from the summary qemu/judge wrote.
count_run() {
	local summary=$XIPMAP_CACHE/run/$1/summary p f s x new

	if [ -f "$summary" ] && read -r p f s _ x <"$summary"; then
		passed=$((passed + p)) skipped=$((skipped + s)) xfail=$((xfail + x))
		failed=$((failed + f))
	else
		tail -40 "$jobs_dir/$1.out"
		# A stock kernel newer than the one the target was checked with
		# (its run said so): the failure is that kernel's.
		new=$(sed -n 's/^xipmap: [^ ]*: apt now offers \([^ ]*\) .*/\1: /p' "$jobs_dir/$1.out")
		echo "xipmap: $1: FAIL: ${new}the run ended before judging (above: the end of its output)"
		failed=$((failed + 1))
	fi
}

# verdict NAME OK MESSAGE: one proof's line.
verdict() {
	if [ "$2" = 1 ]; then
		echo "ok - $3"
		passed=$((passed + 1))
	else
		echo "not ok - $3 (exit $(cat "$jobs_dir/$1.rc" 2>/dev/null)):"
		sed 's/^/#   /' "$jobs_dir/$1.out" | tail -15
		failed=$((failed + 1))
	fi
}

run() {
	"$XIPMAP_TOP/qemu/run.sh" --quiet "$@"
}

# kept_job NAME TARGET ARGS...: the job NAME, run --target TARGET ARGS,
# unless it passed before with the same inputs: the kernel build (its
# cache key), QEMU's version, and every file of the module, the tests,
# the injector, init, the runner, this script and the judge.  The proofs of the runner
# and of known kernel bugs change only when one of those does: a cold run
# or an edit runs them, a warm run with nothing changed keeps them.
# kept_verdict says which.
kept_job() {
	local name=$1 t=$2

	shift 2
	xm_load_target "$t"
	proof_key[$name]=$({ xm_kernel_key; $t_qemu --version | head -1
		xm_tree_hash "$XIPMAP_TOP/module" "$XIPMAP_TOP/uapi" "$XIPMAP_TOP/Kbuild" \
			"$XIPMAP_TOP/selftests/xipmap" "$XIPMAP_TOP/qemu/inject" \
			"$XIPMAP_TOP/qemu/judge" "$XIPMAP_TOP/qemu/init.c" "$XIPMAP_TOP/qemu/Makefile" \
			"$XIPMAP_TOP/qemu/run.sh" "$XIPMAP_TOP/qemu/lib.sh" \
			"$XIPMAP_TOP/qemu/check.sh"; } | sha256sum | cut -c1-16)
	[ "$(cat "$proofs_dir/$name.key" 2>/dev/null)" = "${proof_key[$name]}" ] && return 0
	job "$name" run --run-name "$name" --target "$t" "$@"
}

# kept_verdict NAME OK MESSAGE: verdict of a kept_job; a proof kept from
# before prints the message it passed with.
kept_verdict() {
	if [ ! -f "$jobs_dir/$1.rc" ]; then
		echo "ok - $(cat "$proofs_dir/$1.said") (kept: passed with the same kernel build" \
			"and inputs)"
		passed=$((passed + 1))
		return
	fi
	verdict "$@"
	if [ "$2" = 1 ]; then
		mkdir -p "$proofs_dir"
		echo "$3" >"$proofs_dir/$1.said"
		echo "${proof_key[$1]}" >"$proofs_dir/$1.key"
	fi
}

# debian-package: the Debian package built, lintian-clean, installed on
# this host for Debian's 6.1 and 6.12 kernels and purged (qemu/deb.sh);
# "make check TARGET=debian-package" runs it alone.
deb_job=""
if [ $# -gt 0 ]; then
	targets=""
	for t; do
		if [ "$t" = debian-package ]; then
			deb_job=1
		else
			targets="$targets $t"
		fi
	done
	proofs=""
else
	targets=$(xm_targets)
	proofs=1
	deb_job=1
fi

# Packages first, once: two runs side by side must not both run apt-get.
all_packages=""
for t in $targets; do
	xm_load_target "$t"
	all_packages="$all_packages $t_packages"
	[ "$t_module" = dkms ] && all_packages="$all_packages $XIPMAP_DEB_PACKAGES"
done
[ -n "$deb_job" ] && all_packages="$all_packages dkms $XIPMAP_DEB_PACKAGES"
xm_require_packages $XIPMAP_BASE_PACKAGES $all_packages ${proofs:+sparse}
xm_kernel_source

echo "=== qemu/judge on stored console logs (qemu/judge_test.py)"
# Each case is one pass; the cases are listed in the file below.
out=$jobs_dir/judge_test.out
python3 "$XIPMAP_TOP/qemu/judge_test.py" >"$out" 2>&1
rc=$?
grep -E '^not ok ' -A8 "$out"
echo "qemu/judge_test.py: $(tail -1 "$out") (each case: $out)"
passed=$((passed + $(grep -c '^ok ' "$out")))
failed=$((failed + $(grep -c '^not ok ' "$out")))
[ $rc -eq 0 ] || [ "$(grep -c '^not ok ' "$out")" -gt 0 ] || failed=$((failed + 1))


# The longest runs first (by their warm budget), so that the short ones
# fill the other slot rather than wait at the end.
for t in $(for t in $targets; do
	xm_load_target "$t"
	echo "$t_budget_warm $t"
done | sort -rn | cut -d' ' -f2); do
	job "$t" run --target "$t"
done
# After the targets.  It purges the package under the DKMS lock; a stock
# run has its copy of the module by then, or installs the package again.
[ -n "$deb_job" ] && job debian-package "$XIPMAP_TOP/qemu/deb.sh" --cached
[ -n "$proofs" ] && job lint "$XIPMAP_TOP/qemu/lint.sh" --cached
if [ -n "$proofs" ]; then
	# The live path: a failing test program and a guest that never powers
	# off must fail a run (every other class is proven on stored logs).
	kept_job proof-fail nommu-riscv64 --inject fail --tests reloc_test
	kept_job proof-hang nommu-riscv64 --inject hang --tests reloc_test --timeout 12
	# xipmap-conform with a profile written as a driver author would, on
	# its command line: right, wrong (the device maps PROT_EXEC in place,
	# which a profile without exec forbids), and a device that is not there.
	kept_job conform-right nommu-riscv64 \
		--conform "/dev/xipflash1 --caps direct,copy,read,write,exec"
	kept_job conform-wrong nommu-riscv64 \
		--conform "/dev/xipflash1 --caps direct,copy,read,write"
	kept_job conform-typo nommu-riscv64 --conform "/dev/typo --caps direct"
	# The XIP claims, right and wrong: romfs on the ROM-mapped flash maps
	# in place; romfs on CFI NOR (NOMMU_MAP_COPY only) claimed as XIP must
	# fail them, at the flash's address and in MmapCopy.
	kept_job conform-xip-right nommu-riscv64-xip \
		--conform "--mtd rom:flash-romfs --fs romfs --caps direct,copy,read,exec --xip"
	kept_job conform-xip-wrong nommu-riscv64 \
		--conform "--mtd nor:flash-romfs --fs romfs --caps direct,copy,read,exec --xip"
	# xipmap-bench's shape guard against a lost direct path: init sets the
	# NOR device's get_unmapped_area -ENOSYS knob, its direct mappings
	# become copies, and the guard must fail on RAM and on time.
	kept_job bench-guard nommu-riscv64 --inject nodirect --tests xipmap-bench
	# Known 6.12 bugs, each run on purpose and held to exactly its report:
	# a private or anonymous mapping larger than free memory is ENOMEM
	# after a WARN in the page allocator (docs/conformance.md 22); two
	# private read-only mappings of a direct device from one offset, the
	# second longer, BUG() in add_nommu_region() and panic (24); with
	# DEBUG_NOMMU_REGIONS any overlap of regions BUGs (23); an mmap() whose
	# maple-tree preallocation fails returns 0 and leaves a freed region in
	# the tree (25).
	kept_job known-bug nommu-riscv64 --known-bugs --tests demand_paging \
		--allow 'WARNING: .* at mm/page_alloc\.c:[0-9]+ __alloc_pages'
	kept_job known-bug-same-start nommu-riscv64 --known-bugs --tests flash_devices
	kept_job known-bug-regions nommu-riscv64-debug --known-bugs --tests flash_devices
	kept_job known-bug-prealloc nommu-riscv64-debug --known-bugs --tests fault_sweep
	# The checkers of each debug target proven on: its kernel boots with
	# the injector provoking one report per checker, and the judge must
	# name each.
	for t in $targets; do
		xm_load_target "$t"
		[ "$t_debug" = yes ] || continue
		kept_job "checkers-$t" "$t" --inject checkers --tests reloc_test
	done
fi
job_wait 1

# The kernel's own judges on the driver (make lint): checkpatch --strict,
# sparse, W=1 against 6.12 no-MMU, MMU and 32-bit ARM and Debian's 6.1.
# One pass, or one failure and every finding.  Skipped when the last clean
# lint had the same inputs (qemu/lint.sh --cached).
if [ -z "$proofs" ]; then
	:
elif echo "=== make lint (qemu/lint.sh)" && out=$jobs_dir/lint.out &&
	[ "$(cat "$jobs_dir/lint.rc" 2>/dev/null)" = 0 ]; then
	if grep -q '^lint: clean (the same inputs' "$out"; then
		echo "ok - $(grep '^lint: clean (the same inputs' "$out")"
	else
		echo "ok - lint: $(grep -c '^clean: ' "$out") builds clean, checkpatch --strict clean"
	fi
	passed=$((passed + 1))
else
	echo "not ok - lint:"
	grep -vE '^(xipmap: |=== |clean: |total: 0 errors, 0 warnings, 0 checks)' "$out" |
		sed 's/^/#   /' | head -40
	failed=$((failed + 1))
fi

# The Debian package: one pass, or one failure with each "not ok" line.
if [ -n "$deb_job" ]; then
	echo "=== the Debian package (qemu/deb.sh)"
	out=$jobs_dir/debian-package.out
	grep -E '^ok [0-9]+ - dkms status: ' "$out" | sed 's/^ok [0-9]* - /#   /'
	if [ "$(cat "$jobs_dir/debian-package.rc" 2>/dev/null)" = 0 ]; then
		echo "ok - debian-package: $(grep -m1 '^deb: [0-9]* passed' "$out" | cut -c6-)$(
			grep -q '^deb: kept' "$out" && echo ' (kept: passed with the same package, headers and dkms)')"
		passed=$((passed + 1))
	else
		echo "not ok - debian-package (exit $(cat "$jobs_dir/debian-package.rc" 2>/dev/null)):"
		{ grep -E '^not ok ' "$out" || tail -15 "$out"; } | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
fi

for t in $targets; do
	echo "=== $t"
	log=$XIPMAP_CACHE/run/$t/console.log
	# The TAP the guest printed, then the runner's stages and verdict.
	grep -E '^(TAP version|1\.\.|ok |not ok |# )' "$log" 2>/dev/null
	grep -E '^(xipmap: .*(apt now offers|stages:|FAIL|PASS|XFAIL|dkms status)|coverage: (module/|FAIL|.* rose))' \
		"$jobs_dir/$t.out"
	count_run "$t"
done

if [ -n "$proofs" ]; then
	echo "=== the runner's live path (nommu-riscv64)"
	out=$jobs_dir/proof-fail.out
	kept_verdict proof-fail "$([ "$(cat "$jobs_dir/proof-fail.rc" 2>/dev/null)" != 0 ] &&
		grep -qE 'FAIL: test failed: inject_fail' "$out" && echo 1)" \
		"a failing test program fails the run ($(grep -m1 -o 'FAIL: .*' "$out" | cut -c7-80))"
	out=$jobs_dir/proof-hang.out
	kept_verdict proof-hang "$([ "$(cat "$jobs_dir/proof-hang.rc" 2>/dev/null)" != 0 ] &&
		grep -qE 'FAIL: guest hung' "$out" && echo 1)" \
		"a guest that never powers off fails the run ($(grep -m1 -o 'FAIL: .*' "$out" | cut -c7-80))"

	echo "=== xipmap-bench's shape guard with the direct path lost (nommu-riscv64)"
	log=$XIPMAP_CACHE/run/bench-guard/console.log
	kept_verdict bench-guard "$([ "$(cat "$jobs_dir/bench-guard.rc" 2>/dev/null)" != 0 ] &&
		grep -qE '^# not ok [0-9]+ direct_mapping_costs_no_ram$' "$log" &&
		grep -qE '^# not ok [0-9]+ direct_mapping_time_does_not_grow_with_size$' "$log" &&
		echo 1)" \
		"copies instead of direct mappings fail the guard ($(grep -m1 -oE 'MmapCopy went from [0-9]+ to [0-9]+ pages' "$log"); $(grep -m1 -oE 'mmap of [0-9]+ bytes: median [0-9]+ ns, more than [0-9]+ times the [0-9]+ ns' "$log"))"

	echo "=== xipmap-conform with a profile given on its command line (nommu-riscv64)"
	out=$jobs_dir/conform-right.out
	kept_verdict conform-right "$([ "$(cat "$jobs_dir/conform-right.rc" 2>/dev/null)" = 0 ] &&
		echo 1)" \
		"xipmap-conform /dev/xipflash1 --caps direct,copy,read,write,exec: $(tail -1 "$out" 2>/dev/null)"
	log=$XIPMAP_CACHE/run/conform-wrong/console.log
	pattern='PROT_EXEC: mmap: expected (a copy|EINVAL).*got direct'
	kept_verdict conform-wrong "$([ "$(cat "$jobs_dir/conform-wrong.rc" 2>/dev/null)" != 0 ] &&
		grep -qE "$pattern" "$log" && echo 1)" \
		"xipmap-conform /dev/xipflash1 --caps direct,copy,read,write fails, as it must ($(grep -m1 -oE "$pattern" "$log" | cut -c1-60))"
	log=$XIPMAP_CACHE/run/conform-typo/console.log
	kept_verdict conform-typo "$([ "$(cat "$jobs_dir/conform-typo.rc" 2>/dev/null)" != 0 ] &&
		grep -q '^# not ok 1 /dev/typo: cannot open /dev/typo: ENOENT' "$log" &&
		grep -q '^not ok [0-9]* selftests: xipmap: xipmap-conform' "$log" && echo 1)" \
		"xipmap-conform /dev/typo --caps direct fails ($(grep -m1 -oE 'cannot open /dev/typo: [A-Z]+' "$log"))"
	out=$jobs_dir/conform-xip-right.out
	kept_verdict conform-xip-right "$([ "$(cat "$jobs_dir/conform-xip-right.rc" 2>/dev/null)" = 0 ] &&
		echo 1)" \
		"nommu-riscv64-xip: romfs on the ROM-mapped flash claimed as XIP: $(tail -1 "$out" 2>/dev/null)"
	log=$XIPMAP_CACHE/run/conform-xip-wrong/console.log
	pattern='XIP: a private PROT_READ\|PROT_EXEC mapping is the flash: mapped at 0x[0-9a-f]+'
	kept_verdict conform-xip-wrong "$([ "$(cat "$jobs_dir/conform-xip-wrong.rc" 2>/dev/null)" != 0 ] &&
		grep -qE "$pattern" "$log" &&
		grep -qE '^# not ok [0-9]+ romfs: XIP: no copy is made \(MmapCopy\)$' "$log" && echo 1)" \
		"nommu-riscv64: romfs on CFI NOR claimed as XIP fails, as it must ($(grep -m1 -oE "$pattern, the file's data is at 0x[0-9a-f]+" "$log" | sed 's/.*: //'))"

	echo "=== known 6.12 bugs, run on purpose (docs/conformance.md)"
	out=$jobs_dir/known-bug.out
	kept_verdict known-bug "$([ "$(cat "$jobs_dir/known-bug.rc" 2>/dev/null)" = 0 ] && echo 1)" \
		"nommu-riscv64: demand_paging with --known-bugs passes ($(tail -1 "$out" 2>/dev/null)), the kernel WARNs in mm/page_alloc.c as expected"
	# known_bug_report NAME PATTERN [TEST]: the run NAME failed and the
	# judge named a report matching PATTERN (its line in mm/nommu.c and its
	# task), and TEST, the case that trips it, never finished.  Prints 1.
	# (Which TAP line came last is no witness: a panic can cut off the
	# line of the case before.)
	known_bug_report() {
		[ -f "$jobs_dir/$1.rc" ] || return 0
		[ "$(cat "$jobs_dir/$1.rc")" != 0 ] &&
			grep -qE "FAIL: kernel reported a problem $2" "$jobs_dir/$1.out" &&
			! grep -qE "^# ok [0-9]+ ${3:-none}\$" "$XIPMAP_CACHE/run/$1/console.log" &&
			echo 1
	}
	kept_verdict known-bug-same-start "$(known_bug_report known-bug-same-start \
		'\(bug\): kernel BUG at mm/nommu\.c:464! \(task flash_devices\)' \
		longer_overlay_at_the_same_start)" \
		"nommu-riscv64: flash_devices longer_overlay_at_the_same_start with --known-bugs: kernel BUG at mm/nommu.c:464 (add_nommu_region), as expected"
	kept_verdict known-bug-regions "$(known_bug_report known-bug-regions \
		'\(bug\): kernel BUG at mm/nommu\.c:431! \(task flash_devices\)' \
		overlaps_on_a_direct_device)" \
		"nommu-riscv64-debug: flash_devices overlaps_on_a_direct_device with --known-bugs: kernel BUG at mm/nommu.c:431 (validate_nommu_regions), as expected"
	kept_verdict known-bug-prealloc "$(known_bug_report known-bug-prealloc \
		'\(oops\): .* \(task fault_sweep\)')" \
		"nommu-riscv64-debug: fault_sweep mmap_prealloc_failure_known_bug with --known-bugs: mmap() returns 0, then an Oops on the freed region, as expected"

	echo "=== the kernel's checkers proven on (docs/checkers.md)"
	for t in $targets; do
		xm_load_target "$t"
		[ "$t_debug" = yes ] || continue
		out=$jobs_dir/checkers-$t.out
		said=$(grep -m1 -o 'every checker reported: .*' "$out" 2>/dev/null)
		kept_verdict "checkers-$t" "$([ -n "$said" ] &&
			[ "$(cat "$jobs_dir/checkers-$t.rc")" = 0 ] && echo 1)" \
			"$t: ${said:-a checker did not report}"
	done
	# Debian's stock kernel has SLUB's checks built in and off: the
	# debian-amd64-i386 target boots it with slub_debug=FZPU.
	echo "=== Debian's kernel with its slab checks on (debian-amd64-i386)"
	log=$XIPMAP_CACHE/run/debian-amd64-i386/console.log
	verdict debian-amd64-i386 "$(grep -q '^xipmap-init: slab checks on' "$log" && echo 1)" \
		"debian-amd64-i386 (slub_debug=FZPU): $(grep -m1 -o 'slab checks on.*' "$log" ||
			echo 'slab checks not on')"

	# The TAP names are an interface: labs track each case's history by
	# its name.  Every case that ran on some target (skips are pinned per
	# target already) against qemu/expected/tap-names; a rename is made on
	# purpose, with qemu/pin.sh --names and a line in docs/kselftest.md.
	echo "=== stable test names (qemu/expected/tap-names)"
	out=$jobs_dir/tap-names.out
	if [ -f "$XIPMAP_TOP/qemu/expected/tap-names" ]; then
		# shellcheck disable=SC2086
		xm_tap_names $targets | diff "$XIPMAP_TOP/qemu/expected/tap-names" - |
			sed -n 's/^< /gone: /p; s/^> /new: /p' >"$out"
	else
		echo "no qemu/expected/tap-names: qemu/pin.sh --names makes it" >"$out"
	fi
	# shellcheck disable=SC2086
	verdict tap-names "$([ ! -s "$out" ] && echo 1)" \
		"$(xm_tap_names $targets | wc -l) case names, as qemu/expected/tap-names has them"
fi

echo "xipmap: check took $((SECONDS - start))s"
[ "$xfail" -gt 0 ] &&
	echo "xipmap: $xfail of the passes are XFAIL: known deviations of the kernel's own mmap providers, explained in docs/peers.md"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
