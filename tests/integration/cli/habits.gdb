# gdb habits: displays, convenience variables, $_trap, user commands,
# set logging (writes its file), show, start, jump, !.
break syscall_handler
run
display f->eax
display/x f->vector
display/i $pc
info display
stepi
undisplay 2
info display
set $n = f->eax * 10
p $n
p $n + 1
set var f->ebx = 2
p f->ebx
set f->ebx = 1
p f->ebx
x/2xw f
p $_
p/x $__
p $_trap
p $nosuch_yet
undisplay
define pframe
  echo frame with $argc argument: $arg0\n
  p $arg0->eax
  p/x $arg0->vector
end
document pframe
Print a trap frame's eax and vector.
end
help pframe
pframe f
set logging file LOGFILE
set logging overwrite on
set logging on
output f->eax
echo \n
set logging off
show logging
!echo from the shell
catch syscall
continue
p $_trap
p $_trap.vector
p/x $_trap.rip
p $_trap.origin
p $_trap.disposition
delete
continue
p $_exitcode
show convenience
start
tbreak uart_init
jump *0x101000
p $nosuch
