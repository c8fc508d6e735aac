# lecture64: syscall/sysretq in long mode.
break syscall_handler
catch trap #PF
run
bt
info registers
continue
info pagetable 0x800000
info mode
x/2xg $rsp
