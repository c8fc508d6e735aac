# vmdbg trace diff A B: a unified diff of trap lines, aligned by Myers'
# diff, on crafted pairs (retrace drops a trap or changes a value): the
# exact output, --ignore, -U, and diff(1)'s statuses (0 same, 1 different,
# 2 trouble).
. tests/integration/lib.sh
NO_REPLAY="drop.vtr val.vtr"	# records edited on purpose
R=$BUILD/tests/tools/retrace
"$VMDBG" record --backend emu "$BUILD/guests/timer16.img" -o "$TMP/t.vtr" -q 2>/dev/null
"$R" "$TMP/t.vtr" "$TMP/drop.vtr" drop=5 || fail retrace
"$R" "$TMP/t.vtr" "$TMP/val.vtr" value=6:0x99 drop=20 || fail retrace

expect_status 0 "$VMDBG" trace diff "$TMP/t.vtr" "$TMP/t.vtr"
printf -- '--- %s\n+++ %s\n' "$TMP/t.vtr" "$TMP/t.vtr" >"$TMP/want"
same "$TMP/want" "$TMP/out"

# one trap left out: three lines of context on each side
expect_status 1 "$VMDBG" trace diff "$TMP/t.vtr" "$TMP/drop.vtr"
cat >"$TMP/want" <<EOT
--- $TMP/t.vtr
+++ $TMP/drop.vtr
@@ -3,7 +3,6 @@
      2         12i os   io             out 0x0021 <- 0x4/1                  emulated:pic             vmm-emulates rip=0x7c20
      3         14i os   io             out 0x0021 <- 0x1/1                  emulated:pic             vmm-emulates rip=0x7c24
      4         16i os   io             out 0x0021 <- 0xfe/1                 emulated:pic             vmm-emulates rip=0x7c28
-     5         18i os   io             out 0x0043 <- 0x34/1                 emulated:pit             vmm-emulates rip=0x7c2c
      6         20i os   io             out 0x0040 <- 0xa9/1                 emulated:pit             vmm-emulates rip=0x7c30
      7         22i os   io             out 0x0040 <- 0x4/1                  emulated:pit             vmm-emulates rip=0x7c34
      8         25i os   hlt            hlt                                  emulated:cpu             vmm-emulates rip=0x7c39
EOT
same "$TMP/want" "$TMP/out"

# the other way round, no context: an insertion, named as diff -u names it
expect_status 1 "$VMDBG" trace diff "$TMP/drop.vtr" "$TMP/t.vtr" -U 0
cat >"$TMP/want" <<EOT
--- $TMP/drop.vtr
+++ $TMP/t.vtr
@@ -5,0 +6,1 @@
+     5         18i os   io             out 0x0043 <- 0x34/1                 emulated:pit             vmm-emulates rip=0x7c2c
EOT
same "$TMP/want" "$TMP/out"

# a changed value and a dropped trap: two hunks with one line of context
expect_status 1 "$VMDBG" trace diff "$TMP/t.vtr" "$TMP/val.vtr" -U 1
cat >"$TMP/want" <<EOT
--- $TMP/t.vtr
+++ $TMP/val.vtr
@@ -6,3 +6,3 @@
      5         18i os   io             out 0x0043 <- 0x34/1                 emulated:pit             vmm-emulates rip=0x7c2c
-     6         20i os   io             out 0x0040 <- 0xa9/1                 emulated:pit             vmm-emulates rip=0x7c30
+     6         20i os   io             out 0x0040 <- 0x99/1                 emulated:pit             vmm-emulates rip=0x7c30
      7         22i os   io             out 0x0040 <- 0x4/1                  emulated:pit             vmm-emulates rip=0x7c34
@@ -20,3 +20,2 @@
     19         55i os   io             out 0x0020 <- 0x20/1                 emulated:pic             vmm-emulates rip=0x7c4e
-    20         61i os   hlt            hlt                                  emulated:cpu             vmm-emulates rip=0x7c39
     21         62i os   interrupt      irq vector 0x20                      reflected->0x7c4b        vmm-reflects rip=0x7c3a
EOT
same "$TMP/want" "$TMP/out"
# --ignore value: only the dropped trap is left
expect_status 1 "$VMDBG" trace diff "$TMP/t.vtr" "$TMP/val.vtr" -U 0 --ignore value
[ "$(grep -c '^@@' "$TMP/out")" -eq 1 ] || { cat "$TMP/out"; fail "--ignore value"; }
has_line "$TMP/out" "@@ -21,1 +20,0 @@"

# trace show's selection options: only the hlt records (line numbers count
# the selected ones); the io records alone are the same
expect_status 1 "$VMDBG" trace diff "$TMP/t.vtr" "$TMP/val.vtr" -U 0 --class hlt
cat >"$TMP/want" <<EOT
--- $TMP/t.vtr
+++ $TMP/val.vtr
@@ -5,1 +4,0 @@
-    20         61i os   hlt            hlt                                  emulated:cpu             vmm-emulates rip=0x7c39
EOT
same "$TMP/want" "$TMP/out"
expect_status 0 "$VMDBG" trace diff "$TMP/t.vtr" "$TMP/drop.vtr" --class hlt,interrupt
expect_status 2 "$VMDBG" trace diff "$TMP/t.vtr" "$TMP/val.vtr" --class bogus
contains "$TMP/err" "unknown class 'bogus'"

# two runs of different images: the student's lecture32 (one character
# changed) against the reference; symbols from each side's own image
cp "$BUILD/guests/lecture32.img" "$TMP/ref.img"
python3 - "$TMP/ref.img" "$TMP/student.img" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
i = d.find(b'[kernel] lecture32'); assert i > 0
d[i + 1] = ord('K'); open(sys.argv[2], 'wb').write(d)
PY
"$VMDBG" record --backend emu "$TMP/ref.img" -o "$TMP/ref.vtr" -q 2>/dev/null
"$VMDBG" record --backend emu "$TMP/student.img" -o "$TMP/student.vtr" -q 2>/dev/null
expect_status 1 "$VMDBG" trace diff "$TMP/ref.vtr" "$TMP/student.vtr" -U 0
has_line "$TMP/out" "@@ -10,1 +10,1 @@"
grep -Eq '^-     9 +7682i os +io +out 0x03f8 <- 0x6b/1 .*uart_putc\+0x18 \(x86.h:13\)$' "$TMP/out" || { cat "$TMP/out"; fail "no - line"; }
grep -Eq '^\+     9 +7682i os +io +out 0x03f8 <- 0x4b/1 .*uart_putc\+0x18 \(x86.h:13\)$' "$TMP/out" || { cat "$TMP/out"; fail "no + line"; }

# trouble
expect_status 2 "$VMDBG" trace diff "$TMP/t.vtr"
contains "$TMP/err" "two traces needed"
expect_status 2 "$VMDBG" trace diff "$TMP/t.vtr" "$TMP/none.vtr"
expect_status 2 "$VMDBG" trace diff "$TMP/t.vtr" "$TMP/t.vtr" --ignore colour
has_line "$TMP/err" "vmdbg: trace diff: --ignore colour: unknown field 'colour' (known: time, rip, addr, value, handler, cr2, error, mode)"
echo ok
