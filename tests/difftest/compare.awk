# compare.awk - compare two difftest outputs sequence by sequence.
#
#   awk -v src=SEQS.S -v want_name=qemu -v got_name=emu -f compare.awk WANT GOT
#
# Each line is "seq=ID name=value ..." (see harness.S).  For every sequence
# in WANT: missing from GOT, or fields that differ (for mem=, the differing
# byte offsets), followed by the sequence's source from SRC.  Prints
# "sequences: N compared, N mismatched, N missing" last and exits 1 on any
# mismatch or missing sequence, 2 when WANT has no sequences at all.

function hexbyte(s, i) { return substr(s, 2 * i + 1, 2) }

function hex2dec(s,    i, v) {
	v = 0
	for (i = 1; i <= length(s); i++)
		v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return v
}

function show_source(id,    line, on, n) {
	if (src == "")
		return
	on = 0
	n = 0
	while ((getline line < src) > 0) {
		if (line == "# ---- seq " id " ----")
			on = 1
		if (on) {
			print "    | " line
			if (++n > 200)
				break
		}
		if (on && line == "# ---- end " id " ----")
			break
	}
	close(src)
}

FNR == NR {
	if ($1 !~ /^seq=/)
		next
	id = substr($1, 5)
	order[++nwant] = id
	want[id] = $0
	next
}

{
	if ($1 !~ /^seq=/)
		next
	got[substr($1, 5)] = $0
}

END {
	if (nwant == 0) {
		print "compare: no sequences in the " want_name " output"
		exit 2
	}
	bad = 0
	missing = 0
	for (k = 1; k <= nwant; k++) {
		id = order[k]
		if (!(id in got)) {
			if (missing++ < 3)
				printf "seq %d (0x%s): no output from %s (it stopped before this sequence)\n", \
				    hex2dec(id), id, got_name
			if (missing == 1)
				show_source(hex2dec(id))
			continue
		}
		if (want[id] == got[id])
			continue
		bad++
		if (bad > maxshow && maxshow != "")
			continue
		nw = split(want[id], wf, " ")
		split(got[id], gf, " ")
		printf "seq %d (0x%s): mismatch\n", hex2dec(id), id
		for (i = 2; i <= nw; i++) {
			if (wf[i] == gf[i])
				continue
			split(wf[i], a, "=")
			split(gf[i], b, "=")
			if (a[1] != "mem") {
				printf "  %-4s %s %s   %s %s\n", a[1], want_name, a[2], got_name, b[2]
				continue
			}
			for (j = 0; j < length(a[2]) / 2; j++)
				if (hexbyte(a[2], j) != hexbyte(b[2], j))
					printf "  mem[%d] (window+0x%02x) %s %s   %s %s\n", j, j, \
					    want_name, hexbyte(a[2], j), got_name, hexbyte(b[2], j)
		}
		show_source(hex2dec(id))
	}
	printf "sequences: %d compared, %d mismatched, %d missing\n", nwant, bad, missing
	exit (bad || missing) ? 1 : 0
}
