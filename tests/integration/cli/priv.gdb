# break priv io stops before the kernel's first `out` (uart_init);
# catch syscall stops at the app's int 0x80 (origin app); a watchpoint on
# the kernel's frame allocator (next.0 is alloc_frame's static `next`);
# catch trap #GP at the app's cli.
break priv io
run
info registers eip eax edx
delete 1
catch syscall
continue
info traps 2
bt
delete
watch next.0
continue
bt
continue
info breakpoints
delete
catch trap #GP
continue
info idt 0x0d-0x0e
info idt 0x80
info gdt
info tss
info mode
delete
continue
