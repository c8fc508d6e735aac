# lecture32 at the prompt: a breakpoint on FILE:LINE (the system-call
# handler, reached from the app's int 0x80) and on a symbol (the page-fault
# handler); the backtrace crosses the trap frame into the app; the page
# table walk for the faulting address before and after the kernel maps it.
break kernel.c:275
break page_fault_handler
info breakpoints
run
bt
p/x $eax
continue
bt
p/x $cr2
info pagetable 0x800000
x/4xw $esp
info registers
disassemble page_fault_handler 6
x/2i $pc
finish
info pagetable 0x800000
xp/1xw 0x201000
delete
continue
