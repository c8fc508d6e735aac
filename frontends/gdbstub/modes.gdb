# modes.gdb - gdb follows the guest through real, protected and long mode.
#   gdb -x frontends/gdbstub/modes.gdb -ex 'target remote :1234' ...
# gdb 13 reads a target description (and so its register layout and
# disassembler) at `target remote` and again at `unset tdesc filename`;
# vmdbg serves the layout of the code the CPU runs at that moment (i8086,
# i386, x86-64).  Re-reading it at every stop, before gdb shows the stop,
# keeps registers, disassembly and backtraces right across mode switches
# (one short packet exchange per stop; an unchanged description is reused).
define hook-stop
unset tdesc filename
end
