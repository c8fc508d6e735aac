#!/bin/sh
# qemu-check.sh [OUTDIR] - run the guests under QEMU (TCG) and check
# them against tests/guests/expected/:
#   NAME.serial  the exact bytes the guest writes to the UART
#   NAME.traps   (kernels) the ring-3 traps QEMU's `-d int` logs, in order,
#                as "v=VECTOR e=ERROR at=SYMBOL [CR2=...]"; SYMBOL is the
#                nm symbol at the trapping instruction
# and that each guest exits through port 0xF4 with status 1 (apic: powers
# off through ACPI, status 0).
# QEMU has a BIOS (SeaBIOS) and cannot boot ELF64, so lecture64 runs
# through lecture64-qemu.img (`make guests-qemu`).  Exits 77 without QEMU.
out=${1:-build/guests}
src=$(dirname "$0")
exp=$src/expected
pass=0 fail=0

for q in qemu-system-i386 qemu-system-x86_64 timeout nm; do
	command -v $q >/dev/null 2>&1 || { echo "qemu-check: $q not found"; exit 77; }
done

# traps IMAGE INTLOG: the cpl=3 lines of a -d int log, symbolized.
traps() {
	nm "$1" | awk -v intlog="$2" '
		{ sym[$1] = $3; w = length($1) }
		END {
			while ((getline line < intlog) > 0) {
				if (line !~ / v=/ || line !~ /cpl=3/) continue
				n = split(line, f, " "); out = ""; cr2 = ""
				for (i = 1; i <= n; i++) {
					if (f[i] ~ /^(v|e)=/) out = out (out == "" ? "" : " ") f[i]
					if (f[i] ~ /^IP=/) {
						ip = substr(f[i], index(f[i], ":") + 1)
						while (length(ip) < w) ip = "0" ip
						out = out " at=" (ip in sym ? sym[ip] : ip)
					}
					if (f[i] ~ /^CR2=/) cr2 = " " f[i]
				}
				print out cr2
			}
		}'
}

check() { # NAME IMAGE SYMBOLS QEMU ARGS...
	name=$1 img=$2 syms=$3; shift 3
	mkdir -p "$out/qemu-check"; log=$out/qemu-check/$name
	rm -f "$log.serial" "$log.int"
	timeout 20 "$@" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-serial file:"$log.serial" -display none -no-reboot -monitor none \
		-d int,cpu_reset -D "$log.int" </dev/null >"$log.stderr" 2>&1
	st=$? why="" want=${WANT:-1}
	[ $st -eq $want ] || why="exit status $st, want $want"
	if [ -z "$why" ] && ! cmp -s "$log.serial" "$exp/$name.serial"; then
		why="serial output differs: diff $exp/$name.serial $log.serial"
	fi
	traps "$syms" "$log.int" >"$log.traps"
	if [ -z "$why" ] && [ -f "$exp/$name.traps" ]; then
		cmp -s "$log.traps" "$exp/$name.traps" ||
			why="ring-3 traps differ: diff $exp/$name.traps $log.traps"
	fi
	if [ -z "$why" ]; then
		pass=$((pass + 1)); echo "PASS  qemu/$name"
	else
		fail=$((fail + 1)); echo "FAIL  qemu/$name: $why"
	fi
}

check boot16 "$out/boot16.elf" "$out/boot16.elf" \
	qemu-system-i386 -drive format=raw,file="$out/boot16.img"
check lecture32 "$out/lecture32.img" "$out/lecture32.img" \
	qemu-system-i386 -kernel "$out/lecture32.img"
check lecture32-sysenter "$out/lecture32-sysenter.img" "$out/lecture32-sysenter.img" \
	qemu-system-i386 -kernel "$out/lecture32-sysenter.img"
check lecture64 "$out/lecture64-qemu.img" "$out/lecture64.img" \
	qemu-system-x86_64 -kernel "$out/lecture64-qemu.img"
check timer "$out/timer.img" "$out/timer.img" \
	qemu-system-i386 -kernel "$out/timer.img"
check timer16 "$out/timer16.elf" "$out/timer16.elf" \
	qemu-system-i386 -drive format=raw,file="$out/timer16.img"
# apic powers off through ACPI S5: QEMU exits with status 0.
WANT=0 check apic "$out/apic.img" "$out/apic.img" \
	qemu-system-i386 -kernel "$out/apic.img"

check diskboot "$out/diskboot/kernel.elf" "$out/diskboot/kernel.elf" \
	qemu-system-i386 -drive format=raw,index=0,snapshot=on,file="$out/diskboot.img" \
	-drive format=raw,index=1,snapshot=on,file="$out/diskboot-fs.img"

check bootext "$out/bootext/bootext.elf" "$out/bootext/bootext.elf" \
	qemu-system-i386 -drive format=raw,snapshot=on,file="$out/bootext.img"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
