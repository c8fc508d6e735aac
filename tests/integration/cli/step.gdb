# Source-level stepping in the app and the kernel, list, print and set.
break app_main
run
next
next
info line
step
step
bt
finish
next
next
stepi
nexti
list
list app.c:150
until 163
p $eax
p/x $eax + 0x10
p/t 10
p/c 65
p/a $pc
p $2 * 2
set $eax = 0x1234
p/x $ax
set {int}0x401000 = 0xc0ffee
x/xw 0x401000
x/s 0x40023d
info symbol 0x4000f1
info address app_main
info address page_dir
echo done\n
