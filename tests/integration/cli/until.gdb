# until/advance LOC stop when the current frame returns (gdb's rule), and
# until takes LOC in the current function only in this frame or an outer
# one: the deeper recursive calls of depth_sum passing line 342 do not stop
# it.  advance stops at LOC at any depth.
break depth_sum if n == 3
run
until kernel.c:342
p n
p below
delete
break depth_sum if n == 0
run
advance kernel.c:342
p n
advance kernel.c:342
p n
p below
advance uart_puts
p n
bt
until kernel.c:342
p n
