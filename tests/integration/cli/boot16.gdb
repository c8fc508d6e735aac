# boot16: a boot sector has no symbols; load them from boot16.elf.
info mode
x/3i $pc
symbol-file build/guests/boot16.elf
break boot16_int
run
info idt
stepi
bt
xp/8xb 0x7c00
catch io 0x80
continue
info traps 2
delete
continue
