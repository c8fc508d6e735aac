# The pictures for a lecture, from lecture32 and lecture64 traces recorded on
# emu (deterministic): trap-flow diagrams (golden SVG and text, well-formed
# XML, one rendered to PNG), the Perfetto export (valid JSON, slices nested
# per track, one trap event per trap, the numbers of trace stats), the
# stats figures, the export schema against README, the selection options,
# and `vmdbg scan` against objdump and a step-mode run.
# UPDATE=1 rewrites the golden files instead of comparing.
. tests/integration/lib.sh
EXP=tests/integration/expected/pictures

command -v python3 >/dev/null || skip "python3 is missing"
command -v rsvg-convert >/dev/null || skip "rsvg-convert is missing (Debian librsvg2-bin; make deps)"

for g in lecture32 lecture64; do
	"$VMDBG" record --timeout 30 --backend emu "$BUILD/guests/$g.img" -o "$TMP/$g.vtr" -q 2>/dev/null
	[ $? -eq 1 ] || fail "record $g: wrong status"
done
"$VMDBG" record --timeout 30 --backend emu --step "$BUILD/guests/lecture32.img" \
	-o "$TMP/step32.vtr" -q 2>/dev/null
[ $? -eq 1 ] || fail "record --step lecture32: wrong status"
# the header names the image by its base name: symbols come from the
# image next to the trace
cp "$BUILD/guests/lecture32.img" "$BUILD/guests/lecture64.img" "$TMP/"

# seq TRACE ARGS...: the seq of the first trap trace show selects with ARGS.
seq_of() {
	t=$1; shift
	"$VMDBG" trace show "$TMP/$t.vtr" "$@" --first 1 2>/dev/null |
		awk 'NR > 2 && $1 ~ /^[0-9]+$/ { print $1; exit }'
}

# golden NAME OUT: compare with (or, UPDATE=1, write) the golden file.
golden() {
	if [ "${UPDATE:-0}" = 1 ]; then mkdir -p "$EXP"; cp "$2" "$EXP/$1"; else same "$EXP/$1" "$2"; fi
}

# diagram NAME TRACE CLASS [ARGS]: the first trap of CLASS (and ARGS) to its
# return, as SVG and text, against the golden files.
diagram() {
	name=$1 t=$2 cls=$3; shift 3
	from=$(seq_of "$t" --class "$cls" "$@")
	[ -n "$from" ] || fail "$name: no $cls record"
	to=$(seq_of "$t" --class return --from "$from")
	[ -n "$to" ] || fail "$name: no return after #$from"
	"$VMDBG" trace diagram "$TMP/$t.vtr" --from "$from" --to "$to" --fold io \
		-o "$TMP/$name.svg" || fail "$name: diagram"
	"$VMDBG" trace diagram "$TMP/$t.vtr" --from "$from" --to "$to" --fold io \
		--format text >"$TMP/$name.txt" || fail "$name: diagram --format text"
	python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$TMP/$name.svg" ||
		fail "$name.svg is not well-formed XML"
	golden "$name.svg" "$TMP/$name.svg"
	golden "$name.txt" "$TMP/$name.txt"
}
diagram l32-syscall lecture32 soft-interrupt
diagram l32-pagefault lecture32 exception
diagram l32-cli-gp lecture32 exception --from 300
diagram l64-syscall lecture64 syscall
# README shows the first one as text, docs/ as SVG: both as vmdbg draws them
sed -n '/^    lecture32.vtr: 38 trap records/,/^    legend/p' README.md | sed 's/^    //' \
	>"$TMP/readme-diagram.txt"
same "$TMP/l32-syscall.txt" "$TMP/readme-diagram.txt"
same "$TMP/l32-syscall.svg" docs/trap-flow-syscall.svg
grep -q '#GP err=0x0' "$TMP/l32-cli-gp.txt" || fail "the cli diagram is not the #GP"
grep -q 'syscall nr=1 (write)' "$TMP/l64-syscall.txt" || fail "l64: the syscall by name"

# Symbol names come from the ELF: escaped for SVG, JSON and the terminal.
objcopy --add-symbol 'evil<b>&"x'"'"'=.user_text:0x11,global,function' \
	"$BUILD/guests/lecture32.img" "$TMP/evil.elf" || fail "objcopy"
from=$(seq_of lecture32 --class soft-interrupt)
"$VMDBG" trace diagram "$TMP/lecture32.vtr" --from "$from" --to "$from" --symbols "$TMP/evil.elf" \
	-o "$TMP/evil.svg" || fail "diagram with a hostile symbol"
python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$TMP/evil.svg" ||
	fail "a symbol name broke the SVG"
contains "$TMP/evil.svg" 'evil&lt;b&gt;&amp;&quot;x&apos;'
"$VMDBG" trace export "$TMP/lecture32.vtr" --format perfetto --first 200 --symbols "$TMP/evil.elf" \
	-o "$TMP/evil.json" || fail "perfetto with a hostile symbol"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$TMP/evil.json" ||
	fail "a symbol name broke the JSON"
contains "$TMP/evil.json" 'evil<b>&\"x'"'"

# One rendered to PNG: a broken SVG fails here even when it parses.
rsvg-convert "$TMP/l32-syscall.svg" -o "$TMP/l32-syscall.png" || fail "rsvg-convert"
python3 - "$TMP/l32-syscall.png" <<'EOF' || fail "the PNG"
import struct, sys
b = open(sys.argv[1], 'rb').read()
assert b[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
w, h = struct.unpack('>II', b[16:24])
assert w >= 1000 and h >= 600, (w, h)
EOF

# Holes: a red arrow that stops short, in a step-mode trace.
"$VMDBG" trace diagram "$TMP/step32.vtr" --holes --origin app --format text >"$TMP/holes.txt" ||
	fail "diagram --holes"
[ "$(grep -c 'X *|' "$TMP/holes.txt")" -eq 5 ] || { cat "$TMP/holes.txt"; fail "5 hole arrows"; }
contains "$TMP/holes.txt" "popf: never reaches the VMM"
"$VMDBG" trace diagram "$TMP/step32.vtr" --holes -o "$TMP/holes.svg" || fail "holes svg"
grep -q 'stroke="#d00000"' "$TMP/holes.svg" || fail "no red hole arrow"
# at most --max-arrows, and says what it left out
"$VMDBG" trace diagram "$TMP/lecture32.vtr" --format text >"$TMP/all.txt"
n=$(grep -cE '^[ |.<>X-]*[-.][ |.<>X-]*$' "$TMP/all.txt")
[ "$n" -le 30 ] && [ "$n" -ge 27 ] || { cat "$TMP/all.txt"; fail "$n arrows, wanted 27..30"; }
contains "$TMP/all.txt" "more selected trap records not drawn"

# trace show: the range, --around, --fold, --classic.
"$VMDBG" trace show "$TMP/lecture32.vtr" --from 159 --to 196 --fold io >"$TMP/show.txt" 2>/dev/null
contains "$TMP/show.txt" "9277i ... 36 io records (emulated:uart) ... to #195"
has_line "$TMP/show.txt" "38 of 1072 traps shown"
"$VMDBG" trace show "$TMP/lecture32.vtr" --around 500 >"$TMP/around.txt" 2>/dev/null
has_line "$TMP/around.txt" "21 of 1072 traps shown"
grep -q '^   490 ' "$TMP/around.txt" && grep -q '^   510 ' "$TMP/around.txt" || fail "--around 500: 490..510"
"$VMDBG" trace show "$TMP/step32.vtr" --classic hole 2>/dev/null | tail -1 |
	grep -qx '25 of 1106 traps shown' || fail "--classic hole"
expect_status 2 "$VMDBG" trace show "$TMP/lecture32.vtr" --from 9 --to 3
contains "$TMP/err" "--from 9 is after --to 3"
expect_status 2 "$VMDBG" trace show "$TMP/lecture32.vtr" --classic maybe
contains "$TMP/err" "unknown classic 'maybe' (known: none, vmm-reflects, vmm-emulates, hole)"

# trace stats: by instruction and by system call name.
"$VMDBG" trace stats "$TMP/step32.vtr" >"$TMP/stats.txt"
has_line "$TMP/stats.txt" "holes by instruction: push-sreg x20, pushf x2, popf, sgdt, smsw"
has_line "$TMP/stats.txt" "emulated privileged instructions: out x529, in x522, iret x10, mov-cr x4, cli, lgdt, lidt, ltr, invlpg"
grep -Eq '^  write \(i386 4\) +7$' "$TMP/stats.txt" || { cat "$TMP/stats.txt"; fail "write x7"; }
grep -Eq '^  exit \(i386 1\) +1$' "$TMP/stats.txt" || fail "exit x1"
"$VMDBG" trace stats "$TMP/lecture64.vtr" | grep -Eq '^  write \(x86-64 1\) +7$' ||
	fail "lecture64: write by the x86-64 table"
"$VMDBG" trace stats "$TMP/step32.vtr" --svg "$TMP/stats.svg" --format html -o "$TMP/stats.html" \
	>/dev/null || fail "stats --svg --format html"
python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$TMP/stats.svg" ||
	fail "stats.svg is not well-formed"
rsvg-convert "$TMP/stats.svg" -o "$TMP/stats.png" || fail "rsvg-convert stats.svg"
contains "$TMP/stats.html" "holes by instruction: push-sreg x20"
contains "$TMP/stats.svg" "vmm-reflects"

# Perfetto: JSON, nesting, one trap event per trap, the numbers of stats.
"$VMDBG" trace stats "$TMP/lecture32.vtr" >"$TMP/s32.txt"
"$VMDBG" trace export "$TMP/lecture32.vtr" --format perfetto -o "$TMP/l32.json" || fail "perfetto"
python3 - "$TMP/l32.json" "$TMP/s32.txt" <<'EOF' || fail "perfetto export"
import json, re, sys
from collections import Counter
d = json.load(open(sys.argv[1]))
ev = d['traceEvents']
stack = {}
for e in ev:
    t = e.get('tid')
    if e['ph'] == 'B':
        stack.setdefault(t, []).append(e['ts'])
    elif e['ph'] == 'E':
        assert stack.get(t), ('E without B', e)
        assert stack[t].pop() <= e['ts'], ('slice ends before it begins', e)
    if 'ts' in e:
        assert e['ts'] >= 0
assert all(not s for s in stack.values()), ('unclosed slices', stack)
traps = [e for e in ev if e.get('cat') == 'trap']
text = open(sys.argv[2]).read()
total = int(re.search(r'^  total traps +(\d+)$', text, re.M).group(1))
assert len(traps) == total, (len(traps), total)
by_class = Counter(e['args']['class'] for e in traps)
block = text.split('by class')[1].split('\n\n')[0]
want = {m.group(1): int(m.group(2)) for m in re.finditer(r'^  (\S+) +(\d+) ', block, re.M)}
assert by_class == want, (by_class, want)
assert sum(1 for e in ev if e.get('cat') == 'serial') == 11
assert any(e['ph'] == 'C' for e in ev) and any(e.get('cat') == 'end' for e in ev)
EOF

# A NOTE record (format 1.1: the polling message) in the exports, kept
# with a selection (notes are rare and have no seq).  The guest polls the
# floppy controller's 0x3f4, which no device claims (the IDE ports are).
printf '\272\364\003\000\000\354\250\200\165\373' >"$TMP/port.bin"
"$VMDBG" record --backend emu --load 0x10000 --mode 32 --max-steps 400000 "$TMP/port.bin" \
	-o "$TMP/port.vtr" >/dev/null 2>&1
[ $? -eq 124 ] || fail "record the polling guest"
"$VMDBG" trace export "$TMP/port.vtr" --format jsonl --first 1 | grep '"type":"note"' >"$TMP/note.jsonl"
[ "$(wc -l <"$TMP/note.jsonl")" -eq 1 ] || fail "one note record in the JSONL export"
contains "$TMP/note.jsonl" '"text":"the guest is polling port 0x3f4 (floppy controller)'
"$VMDBG" trace export "$TMP/port.vtr" --format perfetto --first 1 | python3 -c '
import json, sys
ev = json.load(sys.stdin)["traceEvents"]
n = [e for e in ev if e.get("cat") == "note"]
assert len(n) == 1 and n[0]["name"].startswith("the guest is polling port 0x3f4"), n' ||
	fail "the note in the Perfetto export"

# Export schema: the README table, every field and its JSON type.
"$VMDBG" trace export "$TMP/lecture32.vtr" --format jsonl --symbols "$BUILD/guests/lecture32.img" \
	-o "$TMP/l32.jsonl" || fail "export jsonl"
"$VMDBG" trace export "$TMP/lecture32.vtr" --format csv -o "$TMP/l32.csv" || fail "export csv"
python3 - README.md "$TMP/l32.jsonl" "$TMP/l32.csv" <<'EOF' || fail "export schema"
import json, re, sys
readme = open(sys.argv[1]).read().split('### Export schema')[1].split('\n#')[0]
rows = re.findall(r'^\| `(\w+)` \| (number|string|boolean) \|', readme, re.M)
assert len(rows) >= 30, rows
types = {'number': (int,), 'string': (str,), 'boolean': (bool,)}
schema = dict(rows)
seen = set()
for line in open(sys.argv[2]):
    r = json.loads(line)
    for k, v in r.items():
        assert k in schema, ('field not in README', k)
        assert type(v) in types[schema[k]], (k, v, schema[k])
        seen.add(k)
    if r['type'] == 'trap' and r['class'] in ('soft-interrupt',):
        assert 'syscall_nr' in r and 'addr' not in r, r
    if r['type'] == 'trap' and r['class'] == 'return':
        assert 'return_to' in r and 'handler' not in r, r
assert seen == set(schema), ('README fields never exported', set(schema) - seen)
header = open(sys.argv[3]).readline().strip().split(',')
assert header == [k for k, _ in rows], 'CSV columns are not the README order'
EOF

# scan: the kernels' sensitive instructions against objdump, counts from a
# step-mode run (uart_putc's in and out run once per serial byte).
for g in lecture32 lecture64; do
	"$VMDBG" scan "$BUILD/guests/$g.img" >"$TMP/scan-$g.txt" || fail "scan $g"
	awk '$2 == ".text" { print $1 }' "$TMP/scan-$g.txt" | sed 's/^0x//' | sort >"$TMP/scan-$g.addr"
	objdump -d -j .text "$BUILD/guests/$g.img" | awk -F'\t' '
		NF >= 3 {
			m = $3; sub(/^(rep[a-z]* |lock )/, "", m); split(m, w, " "); op = w[1]
			if (op ~ /^(cli|sti|hlt|in|out|ins[bwl]?|outs[bwl]?|lgdtl?|lidtl?|lldt|ltr|sgdtl?|sidtl?|sldt|str|smsw|lmsw|clts|invlpg|wbinvd|invd|rdmsr|wrmsr|sysretq?|sysretl|sysexit|swapgs|xsetbv|pushf[wlq]?|popf[wlq]?|lar|lsl|verr|verw)$/ ||
			    (op == "mov" && m ~ /%(cr|db)[0-9]/) ||
			    (op ~ /^mov[wlq]?$/ && m ~ /^mov[wlq]? +%[cdefgs]s,/) ||
			    (op ~ /^push[wlq]?$/ && m ~ /%[cdefgs]s$/)) {
				a = $1; gsub(/[ :]/, "", a); print a
			}
		}' | sort >"$TMP/objdump-$g.addr"
	[ -s "$TMP/objdump-$g.addr" ] || fail "objdump found nothing in $g"
	same "$TMP/objdump-$g.addr" "$TMP/scan-$g.addr"
done
"$VMDBG" scan "$BUILD/guests/lecture32.img" --trace "$TMP/step32.vtr" >"$TMP/scan.txt" ||
	fail "scan --trace"
serial=$("$VMDBG" trace stats "$TMP/step32.vtr" | sed -n 's/.* serial with \([0-9]*\) bytes.*/\1/p')
[ "$serial" = 522 ] || fail "serial bytes: $serial"
grep -Eq "^  0x10176f +\.text +in +privileged +$serial  uart_putc" "$TMP/scan.txt" ||
	{ cat "$TMP/scan.txt"; fail "uart_putc's in: one execution per serial byte"; }
grep -Eq '^  0x1010fa +\.text +push-sreg +hole +10  trap_common' "$TMP/scan.txt" ||
	fail "push-sreg: once per trap into the kernel (10)"
grep -Eq '^  0x40016d +\.user_text +popf +hole +1  app_popf' "$TMP/scan.txt" || fail "popf"
contains "$TMP/scan.txt" "left out: 15 decodings past the end of a function"
contains "$TMP/scan.txt" "in 16 basic blocks"
contains "$TMP/scan.txt" "trap-and-emulate instead: 1060 traps"
expect_status 2 "$VMDBG" scan "$BUILD/guests/lecture32.img" --trace "$TMP/lecture64.vtr"
contains "$TMP/err" "was recorded from another image"
# the same table at the debugger's prompt
"$VMDBG" --backend emu --cli --batch -ex "scan $TMP/step32.vtr" "$BUILD/guests/lecture32.img" \
	>"$TMP/dbgscan.txt" 2>/dev/null || fail "the debugger's scan"
contains "$TMP/dbgscan.txt" "trap-and-emulate instead: 1060 traps"
# and the page being executed, from guest memory: at isr_syscall, the
# kernel's page; then the app's page
"$VMDBG" --backend emu --cli --batch -ex 'break isr_syscall' -ex c -ex 'scan page' \
	-ex 'scan page app_pushf' -ex 'scan page 0x7fff0000' "$BUILD/guests/lecture32.img" \
	>"$TMP/page.txt" 2>&1
contains "$TMP/page.txt" "binary-translation scan of the page at 0x101000 (32-bit code)"
grep -Eq '^  0x1010fa +push-sreg +hole +trap_common\+0x1' "$TMP/page.txt" || fail "scan page: kernel"
grep -Eq '^  0x40016d +popf +hole +app_popf\+0x0' "$TMP/page.txt" || fail "scan page: app"
contains "$TMP/page.txt" "scan page: cannot read the page at 0x7fff0000: virtual address 0x7fff0000 is not mapped"
expect_status 2 "$VMDBG" scan "$BUILD/guests/boot16.img"
contains "$TMP/err" "not an ELF file"
echo ok
