#!/bin/sh
# Differential test: 6000 generated instruction sequences (1500 in 16-bit
# real mode, 1000 in 16-bit protected mode, 1000 in 32-bit protected mode,
# 1000 in 32-bit protected mode with paging, 1500 in 64-bit long mode) run
# under
# QEMU TCG and under vmdbg's emu backend; every sequence's registers, masked
# EFLAGS and 128-byte memory window must match.  Fixed seed, so a failure
# reproduces.  See tests/difftest/ and bench/difftest_long.sh for more.
. tests/integration/lib.sh

SEED=${DIFFTEST_SEED:-20261125}
GEN=$BUILD/tests/difftest/gen
[ -x "$GEN" ] || fail "$GEN is not built (run make)"
[ -x "$VMDBG" ] || fail "$VMDBG is not built (run make)"
command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	skip "qemu-system-x86_64 is not installed (make deps installs qemu-system-x86)"

# ok LOG: the batch's summary line says it all matched
ok() {
	head -n 1 "$1" | grep -v FAIL | grep -q ": sequences: .* 0 mismatched, 0 missing$"
}

# mode count-per-batch batches: 16-bit batches must fit one 64 KiB segment
BATCHES="16:250:0 16:250:1000 16:250:2000 16:250:3000 16:250:4000 16:250:5000
	 16p:250:0 16p:250:1000 16p:250:2000 16p:250:3000
	 32:500:0 32:500:1000 32p:500:0 32p:500:1000 64:500:0 64:500:1000 64:500:2000"
start=$(date +%s)
pids=""
n=0
for b in $BATCHES; do
	m=${b%%:*} rest=${b#*:}
	count=${rest%%:*} first=${rest#*:}
	sh tests/difftest/difftest.sh run "$m" "$SEED" "$count" "$first" "$TMP" >"$TMP/log.$m.$first" 2>&1 &
	pids="$pids $!"
	n=$((n + 1))
	# two batches at a time: this is a 2-core machine's worth
	if [ $((n % 2)) -eq 0 ]; then
		for p in $pids; do wait "$p"; done
		pids=""
	fi
done
for p in $pids; do wait "$p"; done

bad=0
for b in $BATCHES; do
	m=${b%%:*} rest=${b#*:}
	first=${rest#*:}
	log=$TMP/log.$m.$first
	head -n 1 "$log"
	ok "$log" || bad=1
done
if [ $bad -ne 0 ]; then
	for b in $BATCHES; do
		m=${b%%:*} rest=${b#*:}
		first=${rest#*:}
		log=$TMP/log.$m.$first
		ok "$log" && continue
		echo
		cat "$log"
	done
	fail "emu and QEMU TCG disagree (seed $SEED); $(($(date +%s) - start))s"
fi
echo "difftest: 6000 sequences (16-bit real 1500, 16-bit protected 1000, 32-bit 1000, 32-bit paged 1000, 64-bit 1500), seed $SEED, 0 mismatches, $(($(date +%s) - start))s"
exit 0
