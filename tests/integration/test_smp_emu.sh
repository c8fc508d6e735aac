# Multiprocessor guests on emu (--cpus N): tests/guests/smp starts every AP
# with INIT and two STARTUP IPIs to "all excluding self", and each CPU adds
# 2000 to a shared counter; then the BSP wakes the APs from cli; hlt with
# an NMI IPI.  Checks: with the spinlock the serial output of
# 1, 2 and 4 CPUs is QEMU's (-smp N,sockets=N; expected/smp-N.serial, and
# QEMU itself when installed); the IPIs and the APs' records in the trace;
# without the lock (smp-race.img) some seed of --schedule random loses
# updates, the same seed gives a byte-identical trace and `vmdbg replay`
# runs the same interleaving again, another seed another trace; one-CPU
# traces stay format 1.3; a debugger session (info cpus, a breakpoint hit
# on CPU 1, cpu 0, bt, stepi on one CPU) with exact expected output; gdb
# sees the CPUs as threads.
. tests/integration/lib.sh

img="$BUILD/guests/smp.img"
race="$BUILD/guests/smp-race.img"
[ -f "$img" ] && [ -f "$race" ] || fail "$img or $race is missing (make guests)"

for n in 1 2 4; do
	"$VMDBG" record --backend emu --cpus $n "$img" -o "$TMP/c$n.vtr" >"$TMP/c$n.serial" 2>"$TMP/err"
	st=$?
	[ $st -eq 1 ] || { cat "$TMP/err"; fail "--cpus $n: exit status $st, wanted 1"; }
	same tests/guests/expected/smp-$n.serial "$TMP/c$n.serial"
	if command -v qemu-system-i386 >/dev/null 2>&1; then
		timeout 30 qemu-system-i386 -smp $n,sockets=$n,cores=1,threads=1 -kernel "$img" \
			-device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial file:"$TMP/q$n.serial" \
			-display none -no-reboot -monitor none </dev/null >/dev/null 2>&1
		st=$?
		[ $st -eq 1 ] || fail "QEMU -smp $n: exit status $st, wanted 1"
		same "$TMP/q$n.serial" "$TMP/c$n.serial"
	fi
done
"$VMDBG" trace show "$TMP/c1.vtr" | sed -n 2p | grep -q "; format 1.3$" ||
	fail "a one-CPU trace is not format 1.3"
"$VMDBG" trace show "$TMP/c4.vtr" >"$TMP/c4.txt" || fail "trace show"
grep -qx "  cpus: 4, quantum 4096, schedule round-robin, seed 0" "$TMP/c4.txt" ||
	{ head -3 "$TMP/c4.txt"; fail "the header's CPUs"; }
# INIT assert, INIT de-assert, STARTUP twice (vector 0x70: 0x70000), all
# excluding self, from CPU 0
for icr in 0xcc500 0xc8500 0xc0670; do
	grep -q "cpu0 os   mmio           write 0xfee00300 <- $icr/4 *emulated:lapic" "$TMP/c4.txt" ||
		fail "no ICR write $icr on CPU 0"
done
# each AP: cli; hlt, woken by the NMI IPI (vector 2, reflected to the
# handler), hlt again: exactly these three records
nmi=$(nm "$img" | awk '$3 == "nmi_entry" { sub(/^0+/, "", $1); print $1 }')
for c in 1 2 3; do
	"$VMDBG" trace show "$TMP/c4.vtr" --cpu $c >"$TMP/cpu$c.txt" 2>/dev/null
	seq=$(gawk -v c="cpu$c" -v h="reflected->0x$nmi" '
		$3 != c { next }
		$5 == "hlt" && / emulated:cpu / { printf "h"; next }
		$5 == "interrupt" && $6 == "irq" && $8 == "0x02" && $9 == h { printf "N"; next }
		{ printf "?" }
		END { print "" }' "$TMP/cpu$c.txt")
	[ "$seq" = hNh ] || { cat "$TMP/cpu$c.txt"; fail "CPU $c: records '$seq', wanted hlt, NMI, hlt"; }
done
"$VMDBG" trace stats "$TMP/c4.vtr" | grep -A5 "^by cpu" | grep -q "  cpu 3  *3 " ||
	fail "trace stats by cpu"
# the sequence diagram: an app and an OS lifeline per CPU
"$VMDBG" trace diagram "$TMP/c4.vtr" --cpu 2 --format text >"$TMP/diag.txt" 2>/dev/null ||
	fail "trace diagram"
grep -q "^ *CPU 0 app  *CPU 0 OS  *vmdbg (VMM)  *CPU 2 OS$" "$TMP/diag.txt" ||
	{ cat "$TMP/diag.txt"; fail "diagram lifelines"; }

# The race: the first seed (of 40) whose interleaving loses updates.
seed=""
for s in $(seq 1 40); do
	"$VMDBG" run --backend emu --cpus 2 --schedule random --seed $s "$race" >"$TMP/r.serial" 2>/dev/null
	if [ $? -eq 3 ]; then seed=$s; break; fi
done
[ -n "$seed" ] || fail "no seed of 1-40 lost an update without the lock"
grep -q "^\[smp\] race: updates were lost" "$TMP/r.serial" || fail "seed $seed: no race line"
total=$(grep "total" "$TMP/r.serial")
for i in 1 2; do
	"$VMDBG" record --backend emu --cpus 2 --schedule random --seed $seed "$race" \
		-o "$TMP/race$i.vtr" >"$TMP/race$i.serial" 2>/dev/null
	grep -qxF "$total" "$TMP/race$i.serial" || fail "seed $seed run $i: not '$total'"
done
cmp "$TMP/race1.vtr" "$TMP/race2.vtr" || fail "seed $seed: the traces of two runs differ"
"$VMDBG" replay "$TMP/race1.vtr" --image "$race" >"$TMP/replay.out" 2>&1 ||
	{ cat "$TMP/replay.out"; fail "replay of seed $seed"; }
grep -q "^replay: [0-9]* records match" "$TMP/replay.out" || fail "replay: no match line"
"$VMDBG" record --backend emu --cpus 2 --schedule random --seed $((seed + 1)) "$race" \
	-o "$TMP/race3.vtr" >/dev/null 2>&1
cmp -s "$TMP/race1.vtr" "$TMP/race3.vtr" && fail "seeds $seed and $((seed + 1)) gave one trace"

# A one-CPU teaching kernel on a two-CPU machine (its AP never started):
# the same processes, system calls and keyboard line; only the MP table's
# count differs
printf 'hi there\n' | "$VMDBG" run --timeout 30 --backend emu --cpus 2 "$BUILD/guests/teach32.img" \
	--disk "$BUILD/guests/teach32-fs.img" --display none >"$TMP/t32.serial" 2>"$TMP/err"
st=$?
[ $st -eq 1 ] || { cat "$TMP/err"; fail "teach32 --cpus 2: exit status $st, wanted 1"; }
sed 's/^\[apic\] mp: 1 cpu/[apic] mp: 2 cpu/' tests/guests/expected/teach32.serial >"$TMP/t32.want"
same "$TMP/t32.want" "$TMP/t32.serial"

# info devices: a local APIC line per CPU; only the BSP's LINT0 is ExtINT
"$VMDBG" --backend emu --cpus 3 --batch -q -ex 'info devices' "$img" >"$TMP/dev.txt" 2>&1
n=$(grep -c "^lapic: .*, id [12], .* lint0 0x10000 " "$TMP/dev.txt")
[ "$n" -eq 2 ] && grep -q "^lapic: .*, id 0, .* lint0 0x00700 " "$TMP/dev.txt" ||
	{ cat "$TMP/dev.txt"; fail "info devices: the APICs of 3 CPUs"; }

# Bad input
expect_status 2 "$VMDBG" run --backend emu --cpus 9 "$img"
grep -qx "vmdbg: --cpus 9: expected 1-8 CPUs" "$TMP/err" || { cat "$TMP/err"; fail "--cpus 9"; }
expect_status 2 "$VMDBG" run --cpus 2 --backend kvm "$img"
grep -qx "vmdbg: --cpus 2 needs --backend emu: the kvm backend runs one CPU" "$TMP/err" ||
	{ cat "$TMP/err"; fail "--cpus 2 --backend kvm"; }
# auto picks emu for several CPUs, and says so
expect_status 1 "$VMDBG" run --cpus 2 "$img"
grep -qx "vmdbg: backend emu: --cpus 2 runs on emu only" "$TMP/err" || { cat "$TMP/err"; fail "auto"; }
expect_status 2 "$VMDBG" run --backend emu --schedule fair "$img"
grep -qx "vmdbg: --schedule fair: expected round-robin or random" "$TMP/err" ||
	{ cat "$TMP/err"; fail "--schedule fair"; }

# The debugger: cli/NAME.gdb on two CPUs, output exactly expected/cli-NAME.txt
session() {
	"$VMDBG" --timeout 30 --backend emu --cpus 2 --batch -x tests/integration/cli/$1.gdb "$img" \
		>"$TMP/$1.raw" 2>&1
	st=$?
	[ $st -eq 1 ] || { cat "$TMP/$1.raw"; fail "$1 session: status $st, wanted 1"; }
	sed "s|$BUILD/guests/|build/guests/|g" "$TMP/$1.raw" >"$TMP/$1.out"
	same tests/integration/expected/cli-$1.txt "$TMP/$1.out"
}
session smp
# time travel: reverse-continue to CPU 1's breakpoint hit, reverse-stepi
session smp_reverse

# gdb against the stub: the CPUs are threads (qfThreadInfo,
# qThreadExtraInfo), the breakpoint's stop names thread 2 (CPU 1), Hg
# selects CPU 0 for bt, vCont;s:2 steps CPU 1 alone.
. tests/integration/gdblib.sh
start_stub emu --cpus 2 "$img"
run_gdb "$TMP/gdb.out" -ex "file $img" -ex "target remote 127.0.0.1:$PORT" -ex 'info threads' \
	-ex 'break ap_main' -ex continue -ex 'thread 1' -ex bt -ex 'thread 2' -ex stepi \
	-ex 'info threads' -ex kill
wait $SP
for want in \
	"  2    Thread 2 (CPU 1 (wait-for-SIPI)) 0x00000000 in ?? ()" \
	"Thread 2 hit Breakpoint 1, ap_main (cpu=1) at tests/guests/smp/kernel.c:87" \
	"#1  0x001003fc in kernel_main (magic=<optimized out>) at tests/guests/smp/kernel.c:131" \
	"  1    Thread 1 (CPU 0 (running)) 0x0010028b in count () at tests/guests/smp/kernel.c:76" \
	"* 2    Thread 2 (CPU 1 (running)) 0x0010030c in ap_main (cpu=1) at tests/guests/smp/kernel.c:87"; do
	grep -qxF "$want" "$TMP/gdb.out" || { cat "$TMP/gdb.out"; fail "gdb: no line '$want'"; }
done
echo ok
