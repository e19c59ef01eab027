#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The tables of docs/peers.md, from the console log of a run made with
# --table:
#
#   qemu/run.sh --tests xipmap-conform --table
#   qemu/peers-tables.sh [$XIPMAP_CACHE/run/nommu-riscv64/console.log] [PROVIDER...]
#
# Prints, for each provider (all by default), its line of capabilities,
# a Markdown table of every combination with what the document expects
# and what happened, and its summary line.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

log=${1:-$XIPMAP_CACHE/run/nommu-riscv64/console.log}
[ $# -gt 0 ] && shift
[ -f "$log" ] || xm_die "no console log $log (run qemu/run.sh --tests xipmap-conform --table)"
grep -q '^# # | ' "$log" || xm_die "$log has no tables: the run was made without --table"

awk -v want=" $* " '
	function wanted(name) { return want == "  " || index(want, " " name " ") }
	/^# # [^ |]+: .* capabilities [0-9a-fx]+/ {
		name = $3; sub(/:$/, "", name)
		on = wanted(name)
		if (on) {
			line = $0; sub(/^# # /, "", line)
			printf "### %s\n\n%s\n\n", name, line
			print "| Combination | The document and mm/nommu.c expect | Observed | Result |"
			print "|---|---|---|---|"
		}
		next
	}
	on && /^# # \| / { line = $0; sub(/^# # /, "", line); print line; next }
	on && / tried, [0-9]+ match the document/ {
		line = $0; sub(/^# # /, "", line)
		printf "\nSummary: %s\n\n", line
		on = 0
	}' "$log"
