/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reset vector of QEMU's mps2-an385 board (ARM Cortex-M3), which has
 * no firmware: QEMU's M-profile -kernel loads this ELF and starts from the
 * vector table at address 0, and nothing else prepares the machine.
 *
 * The kernel's Image, the device tree and the initramfs are placed by
 * QEMU's generic loader (qemu/run.sh); their addresses come in as
 * KERNEL_ENTRY (the Image's load address) and DTB_ADDR.  This code
 * enables UART0 (without it the kernel's early console waits for ever on
 * the transmit-full bit) and enters the kernel as arch/arm/kernel/head-nommu.S
 * expects: r0 = 0, r1 = ~0 (no machine number: use the device tree),
 * r2 = the device tree, in Thumb state.
 */
#define UART0_BASE	0x40004000
#define UART_CTRL	0x08	/* bit 0: TX enable, bit 1: RX enable */
#define UART_BAUDDIV	0x10	/* QEMU only needs it non-zero */
#define INITIAL_SP	0x20400000	/* top of SSRAM2/3: this code's stack */

	.syntax	unified
	.cpu	cortex-m3
	.thumb

	.section .text
	.global	vectors
vectors:
	.word	INITIAL_SP
	.word	reset			/* a Thumb function: bit 0 set by the linker */

	.thumb_func
	.global	reset
reset:
	ldr	r3, =UART0_BASE
	movs	r0, #16
	str	r0, [r3, #UART_BAUDDIV]
	movs	r0, #3
	str	r0, [r3, #UART_CTRL]
	movs	r0, #0
	mov	r1, #0xffffffff
	ldr	r2, =DTB_ADDR
	ldr	r3, =(KERNEL_ENTRY + 1)	/* + 1: Thumb state */
	bx	r3
	.ltorg
