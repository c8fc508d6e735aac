#!/bin/sh
# fetch.sh OUTDIR - Debian 12's kernel and a static busybox, through
# Debian's package manager only (apt-get download: nothing is committed),
# and the test initramfs: OUTDIR/vmlinuz, OUTDIR/initrd.cpio.gz.
#
# The kernel is the one the linux-image-cloud-amd64 meta package names
# (the cloud flavour: the generic kernel's core with fewer drivers, so
# less to boot); LINUX_PKG=linux-image-6.1.0-N-amd64 picks another.
set -e
out=$1
here=$(cd "$(dirname "$0")" && pwd)
[ -n "$out" ] || { echo "usage: fetch.sh OUTDIR" >&2; exit 2; }
mkdir -p "$out/debs"
out=$(cd "$out" && pwd)
cd "$out/debs"
pkg=${LINUX_PKG:-$(apt-cache depends linux-image-cloud-amd64 |
	awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')}
[ -n "$pkg" ] || { echo "fetch.sh: apt-cache names no kernel for linux-image-cloud-amd64 (apt-get update?)" >&2; exit 1; }
ls "$pkg"_*.deb >/dev/null 2>&1 || apt-get download "$pkg"
ls busybox-static_*.deb >/dev/null 2>&1 || apt-get download busybox-static
rm -rf "$out/k" "$out/bb" "$out/root"
dpkg-deb -x "$(ls "$pkg"_*.deb | head -1)" "$out/k"
dpkg-deb -x "$(ls busybox-static_*.deb | head -1)" "$out/bb"
cp "$(ls "$out"/k/boot/vmlinuz-* | head -1)" "$out/vmlinuz"
mkdir -p "$out/root/bin" "$out/root/proc" "$out/root/dev"
cp "$out/bb/bin/busybox" "$out/root/bin/busybox"
cp "$here/init" "$out/root/init"
chmod 755 "$out/root/init"
# newc, as the kernel's initramfs unpacker reads it; sorted, with fixed
# times, so that the same packages give the same bytes (and the same boot)
find "$out/root" -exec touch -h -d @0 {} +
(cd "$out/root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet --reproducible) |
	gzip -9n > "$out/initrd.cpio.gz"
# nothing unpacked stays (the Makefile reads every *.d under build/)
rm -rf "$out/k" "$out/bb" "$out/root"
echo "fetch.sh: $pkg and busybox-static in $out (vmlinuz, initrd.cpio.gz)"
