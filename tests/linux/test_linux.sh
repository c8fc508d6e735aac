#!/bin/sh
# test_linux.sh DIR - boot Debian's kernel with the busybox initramfs that
# fetch.sh put in DIR on emu, and check what the guest printed, how it
# stopped and what the trace says (make test-linux).
. tests/integration/lib.sh
NO_REPLAY="linux.vtr linux2.vtr"	# replaying the boots would double this test's time
dir=${1:-$BUILD/linux}
[ -f "$dir/vmlinuz" ] && [ -f "$dir/initrd.cpio.gz" ] ||
	fail "$dir/vmlinuz or $dir/initrd.cpio.gz missing: run make test-linux (tests/linux/fetch.sh)"

# 0: the guest powered off through ACPI (busybox poweroff -f)
expect_status 0 "$VMDBG" run --backend emu --mem 256M "$dir/vmlinuz" \
	--initrd "$dir/initrd.cpio.gz" --append "console=ttyS0 quiet" \
	--timeout 600 -o "$TMP/linux.vtr" </dev/null
# the kernel's tty turns each newline into CR LF
tr -d '\r' <"$TMP/out" >"$dir/console.txt"
has_line "$dir/console.txt" "VMDBG-LINUX-START"
grep -qE '^Linux \(none\) 6\.[0-9]+\.[0-9]+-[0-9]+-cloud-amd64 #1 SMP .* x86_64 GNU/Linux$' "$dir/console.txt" ||
	{ cat "$dir/console.txt"; fail "no uname -a line"; }
has_line "$dir/console.txt" "vmdbg-file-content"		# cat read the file
grep -qE '^forked child pid [0-9]+$' "$dir/console.txt" || { cat "$dir/console.txt"; fail "no line from the forked sh"; }
has_line "$dir/console.txt" "VMDBG-LINUX-DONE"
contains "$TMP/err" "vmdbg: poweroff: the guest powered off: ACPI S5"
grep -q unsupported "$TMP/err" && fail "emu stopped on an unsupported instruction"

"$VMDBG" trace show "$TMP/linux.vtr" >"$TMP/show" 2>/dev/null || fail "trace show failed"
tail -1 "$TMP/show" | grep -q '^end: poweroff at ' || { tail -1 "$TMP/show"; fail "the trace does not end in poweroff"; }
# init runs five programs by path (tests/linux/init): five execve (59)
# system calls from user space, all reflected to the kernel
n=$(grep -cE ' app +syscall +syscall nr=59 +reflected' "$TMP/show")
[ "$n" -eq 5 ] || fail "$n execve system calls, wanted 5 (mount, uname, cat, sh, poweroff)"
# demand paging: page faults from user space reflected to the kernel
n=$(grep -cE ' app +exception +#PF .*reflected' "$TMP/show")
[ "$n" -ge 1 ] || fail "no reflected page fault from user space"
# the local APIC timer (Linux's LOCAL_TIMER_VECTOR 0xec) kept time
n=$(grep -c 'irq vector 0xec' "$TMP/show")
[ "$n" -ge 10 ] || fail "$n local APIC timer interrupts (vector 0xec), wanted at least 10"
n1=$(tail -1 "$TMP/show" | sed 's/.*, \([0-9]*\) instructions.*/\1/')

# Two CPUs (--cpus 2): Linux finds them in the MADT, starts CPU 1 with
# INIT/SIPI, runs the same userland and powers off; both CPUs' local APIC
# timers tick.
expect_status 0 "$VMDBG" record --backend emu --cpus 2 --mem 256M "$dir/vmlinuz" \
	--initrd "$dir/initrd.cpio.gz" --append "console=ttyS0" \
	--timeout 600 -o "$TMP/linux2.vtr" </dev/null
tr -d '\r' <"$TMP/out" >"$TMP/console2.txt"
for want in "smp: Brought up 1 node, 2 CPUs" "VMDBG-LINUX-START" "vmdbg-file-content" \
	"VMDBG-LINUX-DONE"; do
	grep -qF "$want" "$TMP/console2.txt" || { cat "$TMP/console2.txt"; fail "--cpus 2: no '$want'"; }
done
contains "$TMP/err" "vmdbg: poweroff: the guest powered off: ACPI S5"
"$VMDBG" trace show "$TMP/linux2.vtr" --cpu 1 >"$TMP/show1" 2>/dev/null || fail "trace show --cpu 1"
n=$(grep -c 'cpu1 os   interrupt      irq vector 0xec' "$TMP/show1")
[ "$n" -ge 10 ] || fail "$n local APIC timer interrupts on CPU 1, wanted at least 10"
echo "ok: Linux booted to busybox and powered off ($n1 instructions), and on two CPUs"
