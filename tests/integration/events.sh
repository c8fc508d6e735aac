# events ELF TRACE: print a vmdbg trace in the event format of
# tests/guests/expected/*.events (made from QEMU runs by
# tests/guests/tools/qemu-events.py), symbolized with nm like that tool,
# so a vmdbg run can be compared with QEMU's.  Sourced by tests.
events() {
	nm -n "$1" | awk 'NF == 3 && $2 ~ /^[tTdDbBrR]$/ && $3 !~ /^\.L/ { print $1, $3 }' >"$TMP/syms"
	"$VMDBG" trace export "$2" --format csv | gawk -F, -v symfile="$TMP/syms" '
	function hex(s) { return strtonum(s) }
	function where(a,   lo, hi, mid, off) {
		lo = 0; hi = n - 1
		if (n == 0 || a < addr[0]) return sprintf("0x%x", a)
		while (lo < hi) { mid = int((lo + hi + 1) / 2); if (addr[mid] <= a) lo = mid; else hi = mid - 1 }
		off = a - addr[lo]
		return off ? sprintf("%s+0x%x", name[lo], off) : name[lo]
	}
	BEGIN { n = 0; while ((getline l < symfile) > 0) { split(l, f, " "); addr[n] = strtonum("0x" f[1]); name[n++] = f[2] } }
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$1 != "trap" { next }
	{
		c = $col["class"]; cpl = $col["cpl"]; at = where(hex($col["rip"]))
		if (c == "io")
			printf "io dir=%s port=0x%03x size=%d value=0x%02x cpl=%d at=%s\n", $col["dir"], hex($col["addr"]), $col["size"], hex($col["value"]), cpl, at
		else if (c == "soft-interrupt")
			printf "softint vector=0x%02x cpl=%d at=%s\n", $col["vector"], cpl, at
		else if (c == "exception") {
			cr2 = $col["vector"] == 14 ? sprintf(" cr2=0x%08x", hex($col["cr2"])) : ""
			printf "exception vector=0x%02x error=0x%04x%s cpl=%d at=%s\n", $col["vector"], $col["error_code"], cr2, cpl, at
		} else if (c == "syscall")
			printf "syscall insn=%s nr=%d cpl=%d at=%s\n", $col["insn"], $col["syscall_nr"], cpl, at
		else if (c == "msr")
			printf "msr dir=%s msr=0x%x value=0x%x cpl=%d at=%s\n", $col["dir"], hex($col["addr"]), hex($col["value"]), cpl, at
		else if (c == "cpuid")
			printf "cpuid leaf=0x%x subleaf=0x%x cpl=%d at=%s\n", hex($col["addr"]), hex($col["value"]), cpl, at
		else if (c == "return")
			printf "return insn=%s to=%s cpl=%d at=%s\n", $col["insn"], where(hex($col["return_to"])), cpl, at
		else if (c == "priv-insn")
			printf "priv-insn insn=%s cpl=%d at=%s\n", $col["insn"], cpl, at
		else
			printf "%s cpl=%d at=%s\n", c, cpl, at
	}'
}

# steps ELF TRACE: a step-mode trace in the format of
# tests/guests/expected/*.steps (`insn cpl=N at=SYMBOL`): each privileged or
# hole instruction, port access, int, cpuid, MSR access, system call and
# return as the instruction that made it.  Exceptions are left out (QEMU's
# list names the faulting instruction instead, marked `faulted`).
steps() {
	events "$1" "$2" | sed -E \
		-e '/^exception /d' \
		-e 's/^io dir=(in|out) .* (cpl=.*)$/\1 \2/' \
		-e 's/^softint .* (cpl=.*)$/int \1/' \
		-e 's/^return insn=([a-z]+) .* (cpl=.*)$/\1 \2/' \
		-e 's/^cpuid .* (cpl=.*)$/cpuid \1/' \
		-e 's/^msr dir=out .* (cpl=.*)$/wrmsr \1/' \
		-e 's/^msr dir=in .* (cpl=.*)$/rdmsr \1/' \
		-e 's/^syscall insn=([a-z]+) .* (cpl=.*)$/\1 \2/' \
		-e 's/^priv-insn insn=([a-z0-9-]+) (cpl=.*)$/\1 \2/' \
		-e 's/^([a-z0-9]+)-([a-z0-9]+) /\1_\2 /'
}
