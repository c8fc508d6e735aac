# emu is deterministic: the same image gives a byte-identical trace file,
# run after run, in run mode and in step mode.
. tests/integration/lib.sh

for g in lecture32 lecture64; do
	for m in "" --step; do
		for i in 1 2; do
			"$VMDBG" record --timeout 30 --backend emu $m "$BUILD/guests/$g.img" -o "$TMP/$g$m.$i.vtr" -q 2>/dev/null
			[ $? -eq 1 ] || fail "$g $m run $i: wrong exit status"
		done
		cmp "$TMP/$g$m.1.vtr" "$TMP/$g$m.2.vtr" || fail "$g $m: traces differ between two runs"
	done
done
echo ok
