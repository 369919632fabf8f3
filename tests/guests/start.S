/*
 * Test guest entry: a multiboot v1 header (a.out kludge, so the loader needs no
 * ELF32), the 32-bit protected-mode entry that builds identity page tables for
 * the first 8 GiB and switches to long mode (Intel SDM vol. 3 §9.8.5), the
 * interrupt stubs, ring-3 entry/exit, and the real-mode AP trampoline.
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00010003         /* page-align, memory info, a.out kludge */
#define TRAMP_BASE 0x8000           /* where the AP trampoline is copied (SIPI 0x08) */
#define NR_PDS 8                    /* 8 page directories of 2 MiB pages: 8 GiB */

    .section .multiboot, "a"
    .align 4
mb_header:
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)
    .long mb_header                 /* header_addr */
    .long __image_start             /* load_addr */
    .long __data_end                /* load_end_addr */
    .long __image_end               /* bss_end_addr */
    .long _start32                  /* entry_addr */

/* PAE, EFER.LME|SCE, the GDT, paging: shared by the BSP and the APs (no stack use). */
.macro ENTER_LONG_MODE
    mov $pml4, %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $0x620, %eax                 /* PAE | OSFXSR | OSXMMEXCPT */
    mov %eax, %cr4
    mov $0xc0000080, %ecx
    rdmsr
    or $0x101, %eax                 /* LME | SCE */
    wrmsr
    lgdt gdt_desc
    mov %cr0, %eax
    and $~0x6000000c, %eax          /* clear CD, NW, TS, EM */
    or $0x80010022, %eax            /* PG | WP | NE | MP */
    mov %eax, %cr0
.endm

    .section .text.boot, "ax"
    .code32
    .globl _start32
_start32:
    cli
    mov %eax, mb_magic
    mov %ebx, mb_info
    mov $boot_stack_top, %esp

    /* PML4[0] -> PDPT, PDPT[0..7] -> the page directories. */
    mov $pdpt, %eax
    or $7, %eax
    mov %eax, pml4
    mov $pdpt, %edi
    mov $pds, %eax
    or $7, %eax
    mov $NR_PDS, %ecx
1:  mov %eax, (%edi)
    movl $0, 4(%edi)
    add $4096, %eax
    add $8, %edi
    dec %ecx
    jnz 1b

    /* 2 MiB pages, present + writable + user + PS: everything is reachable from ring 3. */
    mov $pds, %edi
    mov $0x87, %eax
    xor %edx, %edx
    mov $(NR_PDS * 512), %ecx
2:  mov %eax, (%edi)
    mov %edx, 4(%edi)
    add $0x200000, %eax
    adc $0, %edx
    add $8, %edi
    dec %ecx
    jnz 2b

    ENTER_LONG_MODE
    ljmp $0x18, $start64

    .code64
start64:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %eax, %eax
    mov %ax, %fs
    mov %ax, %gs
    mov $boot_stack_top, %rsp
    call guest_start
3:  cli
    hlt
    jmp 3b

/* ---- interrupts ---- */

    .altmacro
.macro ISR vec
    .align 16
    /* The CPU pushes an error code for #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP,
     * #VC, #SX (SDM vol. 3 §6.15); the other stubs push a zero in its place. */
    .if (\vec == 8) || ((\vec >= 10) && (\vec <= 14)) || (\vec == 17)
    .elseif (\vec == 21) || (\vec == 29) || (\vec == 30)
    .else
    pushq $0
    .endif
    pushq $\vec
    jmp isr_common
.endm
.macro ISR_N n
    ISR %n
.endm

    .text
    .align 16
    .globl isr_stubs
isr_stubs:
    .set vec, 0
    .rept 256
    ISR_N %vec
    .set vec, vec + 1
    .endr

isr_common:
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, %rdi
    cld
    call isr_dispatch
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    add $16, %rsp
    iretq

/* ---- ring 3 ---- */

/* uint64_t run_user(uint64_t (*fn)(uint64_t), uint64_t arg, void *stack, uint64_t rflags) */
    .globl run_user
run_user:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, kernel_saved_rsp(%rip)
    pushq $0x33                     /* SS: user data, RPL 3 */
    pushq %rdx                      /* RSP */
    pushq %rcx                      /* RFLAGS */
    pushq $0x3b                     /* CS: user 64-bit code, RPL 3 */
    lea user_trampoline(%rip), %rax
    pushq %rax
    iretq

user_trampoline:
    mov %rdi, %rax
    mov %rsi, %rdi
    call *%rax
    mov %rax, %rdi
    /* SYSCALL back to CPL 0 (kvm_pvm raises #UD for INT n at CPL 3). */
    syscall
    ud2

/* SYSCALL entry (MSR_LSTAR): CPL 0 on the user's stack; leave run_user at once. */
    .globl syscall_entry
syscall_entry:
    jmp user_return

/* Abandon the user context (and any interrupt frame): return from run_user. */
    .globl user_return
user_return:
    mov kernel_saved_rsp(%rip), %rsp
    mov %rdi, %rax
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret

/* ---- application processors ---- */

    .globl ap_start64
ap_start64:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $0xfee00020, %rbx           /* LAPIC ID register */
    mov (%rbx), %eax
    shr $24, %eax
    and $0xff, %eax
    mov %eax, %edi
    inc %eax
    shl $13, %rax                   /* 8 KiB per AP */
    lea ap_stacks(%rip), %rsp
    add %rax, %rsp
    call ap_main
4:  cli
    hlt
    jmp 4b

/* Copied to TRAMP_BASE; the SIPI starts an AP here in real mode at CS = 0x0800. */
    .section .rodata
    .code16
    .globl tramp_start, tramp_end
tramp_start:
    cli
    mov %cs, %ax
    mov %ax, %ds
    lgdtl (tramp_gdt_desc - tramp_start)
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmpl $0x08, $(TRAMP_BASE + tramp32 - tramp_start)
    .code32
tramp32:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    ENTER_LONG_MODE
    ljmp $0x18, $ap_start64
    .align 8
tramp_gdt_desc:
    .word gdt_end - gdt - 1
    .long gdt
tramp_end:
    .code64

/* ---- data ---- */

    .data
    .align 16
    .globl gdt, tss_desc
gdt:
    .quad 0
    .quad 0x00cf9a000000ffff        /* 0x08 code, 32-bit */
    .quad 0x00cf92000000ffff        /* 0x10 data */
    .quad 0x00af9a000000ffff        /* 0x18 code, 64-bit */
    .quad 0x00cf92000000ffff        /* 0x20 data */
    .quad 0x00cffa000000ffff        /* 0x28 user code, 32-bit */
    .quad 0x00cff2000000ffff        /* 0x30 user data */
    .quad 0x00affa000000ffff        /* 0x38 user code, 64-bit */
tss_desc:
    .quad 0, 0                      /* 0x40: 64-bit TSS, filled in by guest_start */
gdt_end:
    .align 8
    .word 0
gdt_desc:
    .word gdt_end - gdt - 1
    .quad gdt

    .globl mb_magic, mb_info
mb_magic:
    .long 0
mb_info:
    .long 0
kernel_saved_rsp:
    .quad 0

    .bss
    .align 4096
pml4:
    .fill 4096, 1, 0
pdpt:
    .fill 4096, 1, 0
pds:
    .fill 4096 * NR_PDS, 1, 0
    .globl ap_stacks
ap_stacks:
    .fill 8192 * 17, 1, 0
boot_stack:
    .fill 16384, 1, 0
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
