# Bad input, run with --keep-going: every line is an error message.
frobnicate
st
info frob
break nosuch
break nosuch.c:12
break kernel.c:99999
p nosuch + 1
p $nosuch
p 1 +
x/4xw 0x10000000
x/4q 0x1000
info pagetable
list nosuch
delete 9
catch frob
catch syscall frob
catch io 0x3ff-0x3f8
watch nosuch
set $foo = 1
finish
quit
