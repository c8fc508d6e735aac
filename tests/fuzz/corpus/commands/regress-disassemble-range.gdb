disassemble 0,0xffffffff
disassemble 0 99999999999
disassemble 0x8000,0xffffffff
