#!/bin/sh
# difftest_long.sh - the long differential test: many more generated
# sequences than `make test` runs, emu against QEMU TCG.
#
#   sh bench/difftest_long.sh [SEED [COUNT [GEN-OPTION...]]]
#
# COUNT sequences in total (default 30000), a fifth per mode (16-bit real
# and 16-bit protected mode in batches of 250; 32-bit, 32-bit with paging
# and 64-bit in batches of 500), run as JOBS batches at a time (default:
# the number of CPUs).  GEN-OPTIONs go to the generator: --extra adds
# bound (emu does not implement it yet), --bcd the BCD adjusts (16 and
# 32-bit modes), --sse SSE2 outside long mode, --skip FAMILY,... leaves
# families out.  Prints
# one line per batch and a total; on a mismatch it keeps the work
# directory and names it.  Exit 0 when everything matched.
# DIFFTEST_PEER=kvm compares QEMU TCG with QEMU on KVM instead (a check of
# the generator's undefined-flag model against the host CPU; PVM hosts
# clear EFLAGS.AC, so expect fl= AC noise); DIFFTEST_PEER=none runs QEMU
# alone (a check of the generator).
set -u
cd "$(dirname "$0")/.." || exit 2
SEED=${1:-1}
COUNT=${2:-30000}
[ $# -ge 2 ] && shift 2 || shift $#
BUILD=${BUILD:-build}
export BUILD
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
[ -x "$BUILD/tests/difftest/gen" ] || { echo "difftest_long: build first (make)"; exit 2; }
WORK=$(mktemp -d /tmp/vmdbg-difftest.XXXXXX)
start=$(date +%s)

# the batch list: MODE:COUNT:FIRST
per_mode=$(((COUNT + 4) / 5))
list=""
for m in 16 16p 32 32p 64; do
	bs=500
	case $m in 16*) bs=250 ;; esac
	first=0
	left=$per_mode
	while [ $left -gt 0 ]; do
		c=$bs
		[ $left -lt $c ] && c=$left
		list="$list $m:$c:$first"
		first=$((first + 1000))
		left=$((left - c))
	done
done

running=0
for b in $list; do
	m=${b%%:*} rest=${b#*:}
	c=${rest%%:*} first=${rest#*:}
	sh tests/difftest/difftest.sh run "$m" "$SEED" "$c" "$first" "$WORK" "$@" \
		>"$WORK/log.$m.$first" 2>&1 &
	running=$((running + 1))
	if [ $running -ge "$JOBS" ]; then
		wait
		running=0
	fi
done
wait

total=0 bad=0 badseq=0
for b in $list; do
	m=${b%%:*} rest=${b#*:}
	c=${rest%%:*} first=${rest#*:}
	log=$WORK/log.$m.$first
	head -n 1 "$log"
	total=$((total + c))
	if ! head -n 1 "$log" | grep -v FAIL | grep -Eq " 0 mismatched, 0 missing$|no unplanned exceptions$"; then
		bad=$((bad + 1))
		n=$(sed -n 's/.*sequences: [0-9]* compared, \([0-9]*\) mismatched, \([0-9]*\) missing.*/\1 \2/p' "$log" | head -n 1)
		[ -n "$n" ] || n="$c 0"	# DIFFTEST_PEER=none: count the batch
		badseq=$((badseq + ${n%% *} + ${n##* }))
	fi
done
secs=$(($(date +%s) - start))
if [ $bad -ne 0 ]; then
	echo "difftest_long: seed $SEED: $total sequences, $badseq mismatched or missing in $bad batches, ${secs}s"
	echo "difftest_long: details in $WORK/log.* (sources and outputs kept there)"
	exit 1
fi
rm -rf "$WORK"
echo "difftest_long: seed $SEED: $total sequences, 0 mismatches, ${secs}s"
exit 0
