# Step mode against QEMU: each guest's step-mode trace on emu, as a list of
# instructions (steps in events.sh), equals the QEMU-derived list in
# tests/guests/expected/NAME.steps, filtered to what step mode records by
# design (tests/guests/README.md, "Step mode"):
#  - mov to a segment register, pop of one and rdtsc are dropped from
#    QEMU's list: vmdbg's table (vmdbg/classify.c) has them neither
#    privileged nor holes, so step mode does not record them;
#  - an instruction QEMU marks `faulted` is dropped: it never retired, and
#    vmdbg records the exception it raised (left out of both lists);
#  - boot16's iret is dropped: it returns within ring 0 in real mode, and
#    vmdbg's return records are returns into ring 3.
. tests/integration/lib.sh
. tests/integration/events.sh

for g in boot16 lecture32 lecture32-sysenter lecture64; do
	elf=$BUILD/guests/$g.img
	[ $g = boot16 ] && elf=$BUILD/guests/boot16.elf
	"$VMDBG" record --timeout 30 --step --backend emu "$BUILD/guests/$g.img" -o "$TMP/$g.vtr" -q 2>"$TMP/err"
	st=$?
	[ $st -eq 1 ] || { cat "$TMP/err"; fail "$g step: exit status $st, wanted 1"; }
	drop='^(mov_to_sreg|pop_sreg|rdtsc) | faulted$'
	[ $g = boot16 ] && drop="$drop|^iret "
	grep -Ev "$drop" "tests/guests/expected/$g.steps" >"$TMP/$g.want"
	[ "$(wc -l <"$TMP/$g.want")" -ge 15 ] || fail "$g: the filtered list is almost empty"
	steps "$elf" "$TMP/$g.vtr" >"$TMP/$g.got"
	same "$TMP/$g.want" "$TMP/$g.got"
done
echo ok
