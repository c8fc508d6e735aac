break *0x7c09
tbreak start
pbreak io
condition 1 $ax == 0x1234
ignore 1 2
disable 1
enable 1
delete 2
rwatch counter
awatch *0x7e00
catch trap 13
catch syscall
info breakpoints
continue
step
next
help break
help info
