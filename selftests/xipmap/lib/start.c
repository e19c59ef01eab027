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

#define XIPMAP_START_CODE
#include "xipmap_sys.h"

/* The ELF types of this program's word size. */
#if __SIZEOF_LONG__ == 8
typedef Elf64_Ehdr xipmap_ehdr;
typedef Elf64_Phdr xipmap_phdr;
typedef Elf64_Dyn xipmap_dyn;
typedef Elf64_Rel xipmap_rel;
typedef Elf64_Rela xipmap_rela;
#define XIPMAP_R_TYPE(info)	ELF64_R_TYPE(info)
#else
typedef Elf32_Ehdr xipmap_ehdr;
typedef Elf32_Phdr xipmap_phdr;
typedef Elf32_Dyn xipmap_dyn;
typedef Elf32_Rel xipmap_rel;
typedef Elf32_Rela xipmap_rela;
#define XIPMAP_R_TYPE(info)	ELF32_R_TYPE(info)
#endif

#pragma GCC visibility push(hidden)
extern const xipmap_dyn _DYNAMIC[];
extern const xipmap_ehdr __ehdr_start;
int xipmap_self_relocate(void);
#pragma GCC visibility pop

#if defined(__riscv) && __riscv_xlen == 64
#define XIPMAP_R_RELATIVE	3	/* R_RISCV_RELATIVE, RELA */
#elif defined(__x86_64__)
#define XIPMAP_R_RELATIVE	8	/* R_X86_64_RELATIVE, RELA */
#elif defined(__arm__)
#define XIPMAP_R_RELATIVE	23	/* R_ARM_RELATIVE, REL: the addend in place */
#elif defined(__i386__)
#define XIPMAP_R_RELATIVE	8	/* R_386_RELATIVE, REL: the addend in place */
#else
#error "xipmap: no start code for this architecture yet"
#endif

/* Not in every linux/elf.h: relocation formats this code does not handle. */
#define XIPMAP_DT_RELR		36

/*
 * Returns 0, or -1 if the program has a relocation this code cannot apply
 * (then _start prints a message and exits with 127 before main()).  RELA
 * entries carry their addend (RISC-V, x86-64); REL entries (ARM, i386)
 * find it in the word they relocate.
 */
int xipmap_self_relocate(void)
{
	const xipmap_ehdr *eh = &__ehdr_start;
	const xipmap_phdr *ph = (const void *)((const char *)eh + eh->e_phoff);
	unsigned long base = (unsigned long)eh;
	const char *rela = 0, *rel = 0;
	unsigned long relasz = 0, relaent = sizeof(xipmap_rela);
	unsigned long relsz = 0, relent = sizeof(xipmap_rel);
	const xipmap_dyn *d;
	unsigned long i;

#ifdef XIPMAP_NO_RELOCATION
	/* Only for the runner's own proofs, to show that reloc_test notices. */
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
			rela = (const char *)(base + d->d_un.d_ptr);
		else if (d->d_tag == DT_RELASZ)
			relasz = d->d_un.d_val;
		else if (d->d_tag == DT_RELAENT)
			relaent = d->d_un.d_val;
		else if (d->d_tag == DT_REL)
			rel = (const char *)(base + d->d_un.d_ptr);
		else if (d->d_tag == DT_RELSZ)
			relsz = d->d_un.d_val;
		else if (d->d_tag == DT_RELENT)
			relent = d->d_un.d_val;
		else if (d->d_tag == XIPMAP_DT_RELR)
			return -1;
	}

	for (i = 0; rela && i < relasz / relaent; i++) {
		const xipmap_rela *r = (const void *)(rela + i * relaent);

		if (XIPMAP_R_TYPE(r->r_info) == 0)	/* R_*_NONE */
			continue;
		if (XIPMAP_R_TYPE(r->r_info) != XIPMAP_R_RELATIVE)
			return -1;
		*(unsigned long *)(base + r->r_offset) = base + r->r_addend;
	}
	for (i = 0; rel && i < relsz / relent; i++) {
		const xipmap_rel *r = (const void *)(rel + i * relent);

		if (XIPMAP_R_TYPE(r->r_info) == 0)
			continue;
		if (XIPMAP_R_TYPE(r->r_info) != XIPMAP_R_RELATIVE)
			return -1;
		*(unsigned long *)(base + r->r_offset) += base;
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
#elif defined(__i386__)
/*
 * As nolibc's own i386 _start: the kernel enters with %esp at argc; calls
 * need %esp 16-byte aligned at the call.  %ebx, callee-saved, keeps the
 * initial stack pointer across the relocation; the message is reached
 * through the return address of a call, with no relocation.
 *
 * xipmap_vfork pops its return address off the shared stack before the
 * system call and pushes it back after, as the x86-64 one does.
 */
__asm__(
	"	.pushsection .text\n"
	"	.global	_start\n"
	"	.type	_start, @function\n"
	"_start:\n"
	"	xor	%ebp, %ebp\n"
	"	mov	%esp, %ebx\n"
	"	and	$-16, %esp\n"
	"	call	xipmap_self_relocate\n"
	"	test	%eax, %eax\n"
	"	jnz	1f\n"
	"	sub	$12, %esp\n"
	"	push	%ebx\n"
	"	call	_start_c\n"
	"	hlt\n"
	"1:	call	2f\n"
	"2:	pop	%ecx\n"
	"	add	$(.Lreloc_msg - 2b), %ecx\n"
	"	mov	$2, %ebx\n"
	"	mov	$49, %edx\n"		/* strlen(.Lreloc_msg) */
	"	mov	$4, %eax\n"		/* write */
	"	int	$0x80\n"
	"	mov	$127, %ebx\n"
	"	mov	$1, %eax\n"		/* exit */
	"	int	$0x80\n"
	"	hlt\n"
	".Lreloc_msg:\n"
	"	.ascii	\"xipmap start: unsupported relocation, cannot run\\n\"\n"
	"	.size	_start, . - _start\n"
	"\n"
	"	.global	xipmap_vfork\n"
	"	.type	xipmap_vfork, @function\n"
	"xipmap_vfork:\n"
	"	pop	%ecx\n"		/* the return address */
	"	mov	$190, %eax\n"		/* vfork */
	"	int	$0x80\n"
	"	push	%ecx\n"
	"	ret\n"
	"	.size	xipmap_vfork, . - xipmap_vfork\n"
	"	.popsection\n"
);
#elif defined(__arm__) && defined(__thumb2__)
/*
 * Thumb-2, as nolibc's own ARM _start: the kernel enters with sp at argc;
 * calls need sp 8-byte aligned.  r4, callee-saved, keeps the initial stack
 * pointer across the relocation.  The message sits in .text so that adr
 * reaches it without a literal, which would itself need relocating.
 *
 * xipmap_vfork keeps no return address on the shared stack (lr is a
 * register) and saves r7, the system call number's register, in ip.
 */
__asm__(
	"	.pushsection .text\n"
	"	.syntax	unified\n"
	"	.thumb\n"
	"	.global	_start\n"
	"	.type	_start, %function\n"
	"	.thumb_func\n"
	"_start:\n"
	"	mov	r4, sp\n"
	"	mov	r0, sp\n"
	"	bic	r0, r0, #7\n"
	"	mov	sp, r0\n"
	"	bl	xipmap_self_relocate\n"
	"	cbnz	r0, 1f\n"
	"	mov	r0, r4\n"
	"	bl	_start_c\n"
	"1:	movs	r0, #2\n"
	"	adr	r1, .Lreloc_msg\n"
	"	movs	r2, #49\n"		/* strlen(.Lreloc_msg) */
	"	movs	r7, #4\n"		/* write */
	"	svc	#0\n"
	"	movs	r0, #127\n"
	"	movs	r7, #1\n"		/* exit */
	"	svc	#0\n"
	"	b	.\n"
	"	.p2align 2\n"
	".Lreloc_msg:\n"
	"	.ascii	\"xipmap start: unsupported relocation, cannot run\\n\"\n"
	"	.p2align 1\n"
	"	.size	_start, . - _start\n"
	"\n"
	"	.global	xipmap_vfork\n"
	"	.type	xipmap_vfork, %function\n"
	"	.thumb_func\n"
	"xipmap_vfork:\n"
	"	mov	ip, r7\n"
	"	movs	r7, #190\n"		/* vfork */
	"	svc	#0\n"
	"	mov	r7, ip\n"
	"	bx	lr\n"
	"	.size	xipmap_vfork, . - xipmap_vfork\n"
	"	.popsection\n"
);
#endif
