#!/bin/sh
# mkfs.sh OUT FILE... - teach32's second disk, the file system diskboot's
# fs.S also uses, built from host files with printf and dd:
#   LBA 0: "VMDBGFS1", entry count (u32 LE), then 24-byte entries:
#          name (16 bytes, NUL padded), first LBA (u32), size in bytes (u32)
#   then each file from the next free sector, padded to whole sectors.
# The image is 64 sectors (32 KiB).
set -e
out=$1
shift
u32() { printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) $(($1 >> 8 & 255)) \
	$(($1 >> 16 & 255)) $(($1 >> 24 & 255)))"; }
rm -f "$out.tmp"
dd if=/dev/zero of="$out.tmp" bs=512 count=64 2>/dev/null
{ printf VMDBGFS1; u32 $#; } >"$out.dir"
lba=1
for f; do
	name=$(basename "$f")
	size=$(wc -c <"$f")
	[ ${#name} -lt 16 ] || { echo "mkfs.sh: $name: name over 15 bytes" >&2; exit 1; }
	{ printf '%s' "$name"; head -c $((16 - ${#name})) /dev/zero; u32 $lba; u32 "$size"; } >>"$out.dir"
	dd if="$f" of="$out.tmp" bs=512 seek=$lba conv=notrunc 2>/dev/null
	lba=$((lba + (size + 511) / 512))
done
[ $lba -le 64 ] || { echo "mkfs.sh: files over 63 sectors" >&2; exit 1; }
dd if="$out.dir" of="$out.tmp" conv=notrunc 2>/dev/null
rm -f "$out.dir"
mv "$out.tmp" "$out"
