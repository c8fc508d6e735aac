# Time travel with two CPUs: CPU 1 hits ap_main, CPU 0 then hits line 78
# three times; reverse-continue comes back to CPU 1's hit with CPU 0 where
# it was then (the snapshots hold every CPU and the scheduler), one
# reverse-stepi is CPU 1's previous instruction, and the run goes on to
# the same end.
break ap_main
run
info cpus
delete 1
break kernel.c:78
continue
continue
continue
info cpus
delete 2
break ap_main
reverse-continue
info cpus
info registers eip esp
reverse-stepi
info cpus
stepi
delete
continue
