/*
 * fs.S - diskboot's second disk (primary slave): a file system of one
 * directory sector and its files, assembled to a raw 32 KiB image.
 *
 *   LBA 0: "VMDBGFS1", entry count (u32), then 24-byte entries:
 *          name (16 bytes, NUL padded), first LBA (u32), size in bytes (u32)
 *   LBA 2: hello.txt (two sectors)
 *   LBA 7: scratch: the kernel writes a sector here and reads it back
 */
	.section .data
	.ascii	"VMDBGFS1"
	.long	1
	.ascii	"hello.txt"
	.fill	16 - 9, 1, 0
	.long	2
	.long	hello_end - hello
	.org	2 * 512
hello:
	.ascii	"hello from the second disk: this file lives on the primary slave,\n"
	.ascii	"was found through the directory in its sector 0, and was read by\n"
	.ascii	"ATA PIO, one interrupt (IRQ14) per sector, in protected mode.\n"
	.rept	7
	.ascii	"....................................................... filler\n"
	.endr
	.ascii	"the end of hello.txt\n"
hello_end:
	.org	64 * 512
