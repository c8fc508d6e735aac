#!/bin/sh
# qemu-trace.sh NAME [OUTDIR] - developer tool: run one lecture guest under
# QEMU, single-step it from its first instruction (gdbstub + HMP `log`),
# and regenerate tests/guests/expected/NAME.events and NAME.steps with
# qemu-events.py.  Needs qemu-system-x86, gdb and python3.  Run it after
# changing a guest, review the diff, commit.
set -e
name=$1 out=${2:-build/guests}
tools=$(dirname "$0")
exp=$tools/../expected
log=$out/qemu-check/$name.steplog
mkdir -p "$out/qemu-check"
case $name in
boot16)	qemu="qemu-system-i386 -drive format=raw,file=$out/boot16.img"
	elf=$out/boot16.elf mode=16 entry=0x7c00 ;;
lecture32|lecture32-sysenter)
	qemu="qemu-system-i386 -kernel $out/$name.img"
	elf=$out/$name.img mode=32 entry=$(nm "$elf" | awk '$3 == "_start" { print "0x" $1 }') ;;
lecture64)
	qemu="qemu-system-x86_64 -kernel $out/lecture64-qemu.img"
	elf=$out/lecture64.img mode=64 entry=$(nm "$elf" | awk '$3 == "_start" { print "0x" $1 }') ;;
*)	echo "usage: $0 boot16|lecture32|lecture32-sysenter|lecture64 [OUTDIR]" >&2; exit 2 ;;
esac
port=$((20000 + $$ % 10000))
[ -n "${KEEP_LOG:-}" ] || rm -f "$log"
# shellcheck disable=SC2086
timeout 120 $qemu -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-serial file:"$out/qemu-check/$name.stepserial" -display none -no-reboot \
	-monitor none -S -gdb tcp:127.0.0.1:$port -D "$log" </dev/null &
qpid=$!
sleep 1
timeout 110 gdb -q -batch -ex "target remote 127.0.0.1:$port" \
	-ex "hbreak *$entry" -ex continue -ex "monitor singlestep on" \
	-ex "monitor log exec,cpu,nochain,int" -ex delete -ex continue \
	>"$out/qemu-check/$name.gdb" 2>&1 || true
st=0; wait $qpid || st=$?
[ $st -eq 1 ] || { echo "qemu-trace: $name exited with $st, want 1" >&2; exit 1; }
python3 "$tools/qemu-events.py" "$log" "$elf" $mode "$exp/$name.events" "$exp/$name.steps"
[ -n "${KEEP_LOG:-}" ] || rm -f "$log"
