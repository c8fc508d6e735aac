# make test-linux: Debian's kernel and busybox through apt-get download
# (tests/linux/fetch.sh; nothing is committed), booted on emu.
LINUX_DIR := $(BUILD)/linux

$(LINUX_DIR)/initrd.cpio.gz: tests/linux/fetch.sh tests/linux/init
	$(Q)sh tests/linux/fetch.sh $(LINUX_DIR)

test-linux: all $(LINUX_DIR)/initrd.cpio.gz
	$(Q)sh tests/linux/test_linux.sh $(LINUX_DIR)

.PHONY: test-linux
