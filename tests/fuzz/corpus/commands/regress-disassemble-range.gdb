disassemble 0,0xffffffff
disassemble 0 99999999999
