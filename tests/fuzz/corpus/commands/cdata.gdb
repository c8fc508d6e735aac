# C data from DWARF on lecture32 built at -O0: the trap frame in the
# system-call handler, frames down into the app, locals and arguments.
break syscall_handler
run
p f
p *f
p f->eax
p f->eax + 1
p/x f->eip
p f->vector == 0x80
ptype f
whatis *f
whatis f->eax
info args
info locals
bt
frame 1
info args
p f->ebx
frame 3
frame 5
info args
p buf
p *buf@5
p len * 2
up
info args
p s
p s[0]
down
info frame
frame 0
p $esp
p *(struct trap_frame *)f
p (char *)f->ecx
p sizeof(struct trap_frame)
p $1
p $$2
p $
up 99
down 99
frame x
p nosuch
p f->nosuch
p *f->eax
ptype struct nosuch
