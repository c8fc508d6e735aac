# time limit: 900
# Debian's kernel with a busybox initramfs on emu (tests/linux/): the
# packages come through apt-get download the first time (fetch.sh; nothing
# is committed), then test_linux.sh boots them and checks the console, the
# power-off and the trace.  `make test-linux` runs the same.
dir=${BUILD:-build}/linux
if [ ! -f "$dir/initrd.cpio.gz" ] || [ ! -f "$dir/vmlinuz" ]; then
	sh tests/linux/fetch.sh "$dir" || { echo "FAIL: tests/linux/fetch.sh $dir"; exit 1; }
fi
exec sh tests/linux/test_linux.sh "$dir"
