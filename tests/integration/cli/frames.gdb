# Frames at -O0: a C condition on a recursive function, bt through every
# level, finish returning to the right frame with its value, up/down,
# lines without code, catch syscall by name.
info line kernel.c:285
info line kernel.c:293
break kernel.c:287
break depth_sum if n == 0
info breakpoints
run
bt
finish
finish
up
info locals
p n
down
finish
finish
p depth_result
delete
catch syscall write
continue
info breakpoints
