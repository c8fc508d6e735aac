info mode
x/3i $pc
break loop
run
info registers
stepi 3
bt
xp/8xb 0x7c00
x/4xw counter
print $ax + counter
p/x $1 * 2
set $ax = 0x55
set *(short *)0x7e00 = 7
catch io 0x3f8
continue
info traps 2
info breakpoints
delete
watch *(short *)0x7e00
continue
info watchpoints
disassemble start,+20
info symbol loop
info address counter
info line *0x7c09
until
advance loop
nexti 2
finish
info idt
info gdt
info pagetable 0x7c00
echo done\n
quit 3
