# lecture32 built at -O2 without frame pointers: bt through DWARF
# call-frame information, and <optimized out> where gcc keeps no location.
break page_fault_handler
run
bt
info args
info locals
frame 3
info locals
p line
p sizeof(line)
info frame
