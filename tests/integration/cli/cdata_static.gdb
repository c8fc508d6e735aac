ptype struct trap_frame
ptype struct gdt_entry
ptype struct idt_gate
ptype struct tss32
whatis isr_table
ptype isr_table
whatis gdt
ptype gdt
whatis &gdt
whatis &gdt[1]
whatis gdt[1].access
whatis syscall_handler
whatis uart_puthex
whatis alloc_frame
ptype uint32_t
whatis uint32_t
ptype unsigned long
p sizeof(struct trap_frame)
p sizeof(struct tss32)
p sizeof(gdt)
p sizeof(gdt[0])
p sizeof(page_dir) / sizeof(page_dir[0])
p gdt[1]
p/x gdt[1]
p &gdt[1]
p &gdt[1].access
p *&gdt[1]
p gdt[1].limit_lo + 1
p gdt[1].limit_lo * 2 - 3
p isr_table[14]
p/x isr_table[14]
p isr_table[14] == isr_table[13]
p syscall_handler
p uart_putc
p *syscall_handler
p &syscall_handler
p (char)65
p (unsigned char)200
p (short)-2
p (unsigned short)-2
p -5 / 2
p -5 % 2
p 7 >> 1
p 1 << 31
p 0xffffffff
p 4294967296
p 'A'
p '\n'
p 10 > 3 && 2 < 1
p !0
p ~0
p sizeof(int)
p sizeof(long long)
p (long)&gdt[2] - (long)&gdt[0]
p &gdt[2] - &gdt[0]
p isr_table[1]@3
p/x isr_table[1]@3
p gdt[0].limit_lo@4
whatis isr_table[1]@3
output gdt[1].limit_lo
echo \n
p *isr_table@0
