// SPDX-License-Identifier: GPL-2.0
/*
 * Startup code of the static-PIE nolibc programs xipmap runs in its guests
 * (the tests, the demo and the guest's init).
 *
 * Why: a no-MMU kernel runs ELF programs through binfmt_elf_fdpic, which
 * loads a plain position-independent executable (ET_DYN, no interpreter)
 * wherever memory is free.  Neither it nor binfmt_elf (on MMU kernels)
 * applies relocations; a dynamic linker would, and there is none.  So every
 * pointer the linker stored in data (a table of strings, an array of
 * function pointers, the init_array nolibc walks) still holds its link-time
 * value.  Before any C code runs, _start applies the program's own
 * R_*_RELATIVE relocations:  *(base + r_offset) = base + r_addend.
 *
 * Everything here runs before that, so it must not load an address from
 * data: the symbols are hidden (reached PC-relatively, not through the GOT),
 * and this file is built with -fno-jump-tables.
 *
 * selftests/xipmap/reloc_test.c checks the result.
 */
#include <linux/elf.h>

#include "xipmap_sys.h"

#pragma GCC visibility push(hidden)
extern const Elf64_Dyn _DYNAMIC[];
extern const Elf64_Ehdr __ehdr_start;
int xipmap_self_relocate(void);
#pragma GCC visibility pop

#if defined(__riscv) && __riscv_xlen == 64
#define XIPMAP_R_RELATIVE	3	/* R_RISCV_RELATIVE */
#elif defined(__x86_64__)
#define XIPMAP_R_RELATIVE	8	/* R_X86_64_RELATIVE */
#else
#error "xipmap: no start code for this architecture yet"
#endif

/* Not in every linux/elf.h: relocation formats this code does not handle. */
#define XIPMAP_DT_RELR		36

/*
 * Returns 0, or -1 if the program has a relocation this code cannot apply
 * (then _start prints a message and exits with 127 before main()).
 */
int xipmap_self_relocate(void)
{
	const Elf64_Ehdr *eh = &__ehdr_start;
	const Elf64_Phdr *ph = (const void *)((const char *)eh + eh->e_phoff);
	unsigned long base = (unsigned long)eh;
	const Elf64_Rela *rela = 0;
	unsigned long relasz = 0, relaent = sizeof(*rela);
	const Elf64_Dyn *d;
	unsigned long i;

#ifdef XIPMAP_NO_RELOCATION
	/* Only for qemu/check.sh, to prove that reloc_test notices. */
	return 0;
#endif

	/* The load bias: where the ELF header is now minus where it was linked. */
	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0) {
			base -= ph[i].p_vaddr;
			break;
		}
	}

	for (d = _DYNAMIC; d->d_tag != DT_NULL; d++) {
		if (d->d_tag == DT_RELA)
			rela = (const void *)(base + d->d_un.d_ptr);
		else if (d->d_tag == DT_RELASZ)
			relasz = d->d_un.d_val;
		else if (d->d_tag == DT_RELAENT)
			relaent = d->d_un.d_val;
		else if (d->d_tag == DT_REL || d->d_tag == XIPMAP_DT_RELR)
			return -1;
	}

	for (i = 0; rela && i < relasz / relaent; i++) {
		const Elf64_Rela *r = (const void *)((const char *)rela + i * relaent);

		if (ELF64_R_TYPE(r->r_info) == 0)	/* R_*_NONE */
			continue;
		if (ELF64_R_TYPE(r->r_info) != XIPMAP_R_RELATIVE)
			return -1;
		*(unsigned long *)(base + r->r_offset) = base + r->r_addend;
	}
	return 0;
}

/*
 * _start replaces nolibc's weak one: relocate, then hand the initial stack
 * (argc, argv, envp, auxv) to nolibc's _start_c, which calls main().
 *
 * xipmap_vfork() is vfork(2) without a stack frame of its own: the child
 * borrows the caller's frame until it calls execve() or _exit(), so the
 * system call must be made from a leaf that touches no stack.
 */
#if defined(__riscv)
__asm__(
	"	.pushsection .rodata\n"
	".Lreloc_msg:\n"
	"	.ascii	\"xipmap start: unsupported relocation, cannot run\\n\"\n"
	"	.popsection\n"
	"	.pushsection .text\n"
	"	.global	_start\n"
	"	.type	_start, %function\n"
	"_start:\n"
	"	.option	push\n"
	"	.option	norelax\n"
	"	lla	gp, __global_pointer$\n"
	"	.option	pop\n"
	"	mv	s0, sp\n"
	"	andi	sp, sp, -16\n"
	"	call	xipmap_self_relocate\n"
	"	bnez	a0, 1f\n"
	"	mv	a0, s0\n"
	"	call	_start_c\n"
	"1:	li	a0, 2\n"
	"	lla	a1, .Lreloc_msg\n"
	"	li	a2, 49\n"		/* strlen(.Lreloc_msg) */
	"	li	a7, 64\n"		/* write */
	"	ecall\n"
	"	li	a0, 127\n"
	"	li	a7, 93\n"		/* exit */
	"	ecall\n"
	"	.size	_start, . - _start\n"
	"\n"
	"	.global	xipmap_vfork\n"
	"	.type	xipmap_vfork, %function\n"
	"xipmap_vfork:\n"
	"	li	a0, 0x4111\n"		/* CLONE_VM | CLONE_VFORK | SIGCHLD */
	"	li	a1, 0\n"		/* same stack */
	"	li	a7, 220\n"		/* clone */
	"	ecall\n"
	"	ret\n"
	"	.size	xipmap_vfork, . - xipmap_vfork\n"
	"	.popsection\n"
);
#elif defined(__x86_64__)
/*
 * As nolibc's own x86_64 _start: the kernel enters with %rsp at argc,
 * and every call needs %rsp 16-byte aligned.  %rbx, callee-saved, keeps
 * the initial stack pointer across the relocation.
 *
 * The vfork child returns through the parent's stack and may overwrite
 * the return address there before the parent runs again, so, as glibc
 * does, it is popped into %rdi (clobbered by calls anyway) before the
 * system call and pushed back after it, in the child and in the parent.
 */
__asm__(
	"	.pushsection .rodata\n"
	".Lreloc_msg:\n"
	"	.ascii	\"xipmap start: unsupported relocation, cannot run\\n\"\n"
	"	.popsection\n"
	"	.pushsection .text\n"
	"	.global	_start\n"
	"	.type	_start, @function\n"
	"_start:\n"
	"	xor	%ebp, %ebp\n"
	"	mov	%rsp, %rbx\n"
	"	and	$-16, %rsp\n"
	"	call	xipmap_self_relocate\n"
	"	test	%eax, %eax\n"
	"	jnz	1f\n"
	"	mov	%rbx, %rdi\n"
	"	call	_start_c\n"
	"	hlt\n"
	"1:	mov	$2, %edi\n"
	"	lea	.Lreloc_msg(%rip), %rsi\n"
	"	mov	$49, %edx\n"		/* strlen(.Lreloc_msg) */
	"	mov	$1, %eax\n"		/* write */
	"	syscall\n"
	"	mov	$127, %edi\n"
	"	mov	$60, %eax\n"		/* exit */
	"	syscall\n"
	"	hlt\n"
	"	.size	_start, . - _start\n"
	"\n"
	"	.global	xipmap_vfork\n"
	"	.type	xipmap_vfork, @function\n"
	"xipmap_vfork:\n"
	"	pop	%rdi\n"		/* the return address */
	"	mov	$58, %eax\n"		/* vfork */
	"	syscall\n"
	"	push	%rdi\n"
	"	ret\n"
	"	.size	xipmap_vfork, . - xipmap_vfork\n"
	"	.popsection\n"
);
#endif
