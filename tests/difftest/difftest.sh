#!/bin/sh
# difftest.sh - build and run one differential-test batch: the same guest
# image under QEMU TCG (the reference) and under vmdbg's emu backend.
#
#   sh tests/difftest/difftest.sh image MODE SEED COUNT FIRST OUT [GEN-OPTION...]
#       (MODE 16 is real mode, 16p 16-bit protected mode, 32, 32p with
#       paging, 64)
#       generate OUT.S and build OUT.elf (a multiboot ELF32 kernel)
#   sh tests/difftest/difftest.sh run MODE SEED COUNT FIRST DIR [GEN-OPTION...]
#       build DIR/bMODE_FIRST.elf, run it under both, compare; prints one
#       summary line "MODE-bit FIRST..LAST: ..." and, on a mismatch, each
#       differing sequence (registers, flags, window bytes) with its source.
#       Exit 0 when every sequence matched, 1 otherwise.
# GEN-OPTIONs go to the generator: --extra, --bcd (see gen.c).
#
# Run from the top of the checkout.  Environment: BUILD (default build),
# VMDBG (default $BUILD/vmdbg), QEMU (default qemu-system-x86_64),
# DIFFTEST_SHOW (how many mismatches to print in full, default 10),
# DIFFTEST_PEER=kvm to run the "emu" side as QEMU with KVM instead (checks
# the generator's undefined-flag model against the host CPU), =none to run
# QEMU alone (checks the generator: every exception planned, all sequences
# run).
set -u
BUILD=${BUILD:-build}
VMDBG=${VMDBG:-$BUILD/vmdbg}
QEMU=${QEMU:-qemu-system-x86_64}
GEN=${GEN:-$BUILD/tests/difftest/gen}
DT=tests/difftest

die() { echo "difftest: $*" >&2; exit 2; }

# image MODE SEED COUNT FIRST OUT [GEN-OPTION...]
image() {
	m=$1 seed=$2 count=$3 first=$4 out=$5
	shift 5
	extra="$*"
	"$GEN" --mode "$m" --seed "$seed" --count "$count" --first "$first" $extra -o "$out.S" ||
		die "gen failed for mode $m seed $seed"
	case $m in
	16p)
		gcc -m32 -c -DMODE=16 -DPM16=1 -x assembler-with-cpp $DT/harness.S -o "$out.h.o" &&
		gcc -m32 -c -x assembler "$out.S" -o "$out.o" &&
		ld -m elf_i386 --no-warn-rwx-segments -T $DT/harness16.ld "$out.h.o" "$out.o" -o "$out.elf" ;;
	64)
		gcc -c -DMODE=64 -x assembler-with-cpp $DT/harness.S -o "$out.h.o" &&
		gcc -c -x assembler "$out.S" -o "$out.o" &&
		ld -m elf_x86_64 --no-warn-rwx-segments -T $DT/harness.ld "$out.h.o" "$out.o" -o "$out.elf64" &&
		objcopy -O elf32-i386 "$out.elf64" "$out.elf" ;;
	32|32p)
		pg=0
		[ "$m" = 32p ] && pg=1
		gcc -m32 -c -DMODE=32 -DPAGING=$pg -x assembler-with-cpp $DT/harness.S -o "$out.h.o" &&
		gcc -m32 -c -x assembler "$out.S" -o "$out.o" &&
		ld -m elf_i386 --no-warn-rwx-segments -T $DT/harness.ld "$out.h.o" "$out.o" -o "$out.elf" ;;
	16)
		gcc -m32 -c -DMODE=16 -x assembler-with-cpp $DT/harness.S -o "$out.h.o" &&
		gcc -m32 -c -x assembler "$out.S" -o "$out.o" &&
		ld -m elf_i386 --no-warn-rwx-segments -T $DT/harness16.ld "$out.h.o" "$out.o" -o "$out.elf" ;;
	*) die "mode must be 16, 16p, 32, 32p or 64, not $m" ;;
	esac || die "could not build the mode $m image $out.elf"
}

run_qemu() { # IMG OUT [accel args...]
	img=$1 out=$2; shift 2
	rm -f "$out"
	timeout 120 "$QEMU" -kernel "$img" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-serial "file:$out" -display none -no-reboot -m 64 "$@" 2>"$out.err"
}

# run MODE SEED COUNT FIRST DIR [GEN-OPTION...]
run() {
	m=$1 seed=$2 count=$3 first=$4 dir=$5
	shift 5
	base=$dir/b${m}_$first
	last=$((first + count - 1))
	case $m in 16p) tag="16-bit-pm" ;; 32p) tag="32-bit-paged" ;; *) tag="$m-bit" ;; esac
	tag="$tag $first..$last"
	image "$m" "$seed" "$count" "$first" "$base" "$@"

	run_qemu "$base.elf" "$base.qemu" -accel tcg
	qst=$?
	if [ "${DIFFTEST_PEER:-emu}" = kvm ]; then
		peer=kvm
		run_qemu "$base.elf" "$base.peer" -accel kvm -cpu qemu64
		pst=$?
	elif [ "${DIFFTEST_PEER:-emu}" = none ]; then
		peer=none
		pst=1
	else
		peer=emu
		timeout 120 "$VMDBG" run --backend emu --timeout 100 "$base.elf" >"$base.peer" 2>"$base.peer.err"
		pst=$?
	fi
	# The guest exits through port 0xf4 with 0: status 1 under both.
	if [ $qst -ne 1 ] || ! grep -q "^done " "$base.qemu"; then
		echo "$tag: QEMU did not finish the batch (status $qst); the harness or the generator is wrong"
		tail -n 3 "$base.qemu.err" "$base.qemu" 2>/dev/null | cut -c1-200
		echo "  rebuild: sh $DT/difftest.sh image $m $seed $count $first OUT $extra"
		return 1
	fi
	# An exception the generator did not plan for, under QEMU: a generator
	# (or harness) bug, whatever the peer does.
	if grep -q " exc=U" "$base.qemu"; then
		echo "$tag: QEMU took exceptions the generator did not plan for; the generator is wrong:"
		grep " exc=U" "$base.qemu" | sed 's/^\(seq=[0-9a-f]*\).* \(exc=[^ ]*\).*/  \1 \2/' | head -n 5
		echo "  rebuild: sh $DT/difftest.sh image $m $seed $count $first OUT $extra"
		return 1
	fi
	if [ "${DIFFTEST_PEER:-emu}" = none ]; then
		echo "$tag: QEMU alone: $(grep -c '^seq=' "$base.qemu") sequences, no unplanned exceptions"
		return 0
	fi
	note=""
	if [ $pst -ne 1 ]; then
		note=" ($peer exited $pst: $(grep -v '^$' "$base.peer.err" 2>/dev/null | tail -n 1 | cut -c1-200))"
	fi
	awk -v src="$base.S" -v want_name=qemu -v got_name="$peer" -v maxshow="${DIFFTEST_SHOW:-10}" \
		-f $DT/compare.awk "$base.qemu" "$base.peer" >"$base.cmp"
	cst=$?
	summary=$(tail -n 1 "$base.cmp")
	if [ $cst -eq 0 ] && [ $pst -eq 1 ]; then
		echo "$tag: $summary"
		return 0
	fi
	echo "$tag: FAIL $summary$note"
	sed '$d' "$base.cmp"
	echo "  rebuild: sh $DT/difftest.sh image $m $seed $count $first OUT $extra"
	return 1
}

cmd=${1:-}
[ $# -ge 1 ] && shift
case $cmd in
image) [ $# -ge 5 ] || die "usage: difftest.sh image MODE SEED COUNT FIRST OUT [GEN-OPTION...]"
	image "$@" ;;
run) [ $# -ge 5 ] || die "usage: difftest.sh run MODE SEED COUNT FIRST DIR [GEN-OPTION...]"
	run "$@" ;;
*) die "usage: difftest.sh image|run MODE SEED COUNT FIRST OUT|DIR [GEN-OPTION...]" ;;
esac
