# Two CPUs (--cpus 2): CPU 1 (the AP) hits a breakpoint while CPU 0 (the
# BSP) counts; info cpus; cpu 0 and its backtrace; stepi steps CPU 0 alone
# (CPU 1 stays where it is); thread 1 and stepi there; info threads; then
# the scheduler runs both to the end.  Before the run CPU 1 waits for its
# STARTUP IPI: stepi with scheduler locking on cannot run it.
info cpus
cpu 1
stepi
cpu 0
break ap_main
run
info cpus
cpu 0
bt
info registers eip
stepi
info cpus
thread 1
stepi
info threads
cpu
delete 1
continue
