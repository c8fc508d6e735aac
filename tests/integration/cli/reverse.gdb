# Time travel on lecture32: reverse-continue to the previous hit of a
# breakpoint, a watchpoint and a catchpoint, reverse-stepi/nexti/step/
# next/finish, goto a record, the errors at the edges of the history.
break syscall_handler
continue
continue
continue
reverse-continue
info registers eip
reverse-continue
delete
watch next.0
continue
continue
reverse-continue
delete
catch syscall
continue
continue
rc
info traps 1
delete
break syscall_handler
continue
stepi 3
rsi
rsi 2
info registers eip
next
next
reverse-next
reverse-step
reverse-finish
rni
rni
goto 5
info registers eip
goto insn 0
rsi
rc
goto 99999
goto insn 99999999
record stop
info record
rsi
record
info record
