# Real mode as it is: the sector far-jumps to 07C0:0005, so CS:IP and the
# linear address differ.  The stop line, x/i $pc, disassemble and jump show
# CS:IP (linear) and read linear CS*16+IP; SEG:OFF addresses are accepted
# wherever an address is; $pc is linear, $ip the register.
break *0x07c0:0x5
info breakpoints
run
x/i $pc
p $pc
p $cs:$ip
p/x $ip
stepi
x/2i $pc
x/i 0x07c0:0x5
x/2xb $cs:$ip
disassemble 0x07c0:0x5,+9
info mode
p 0x07c0:0x10000
jump *0x07c0:0xc
