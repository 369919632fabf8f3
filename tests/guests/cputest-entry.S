/*
 * cputest: the ring-0 exception entry and the ring-3 harness that runs one
 * instruction sequence.
 *
 * Everything except the exception handler runs at CPL 3: on kvm_pvm ring-3
 * code executes natively while ring-0 code goes through KVM's instruction
 * emulator, so the handler is kept to a few dozen plain instructions (MOVs,
 * MOV from CR2, IRETQ). It records the frame (Intel SDM vol. 3 §6.14.2), the
 * GPRs and CR2 into the case's output, and returns with IRETQ to
 * ct_fault_resume at CPL 3 on the harness stack, which ends the case.
 */
#include "cputest.h"

#define USER_CS 0x3b
#define USER_SS 0x33

    .text

/* ---- ring 0 ---- */

/* Exception stubs for vectors 0-31, 16 bytes apart. */
    .altmacro
.macro CT_ISR vec
    .align 16
    /* Vectors with an error code (SDM vol. 3 §6.15): 8, 10-14, 17, 21, 29, 30. */
    .if (\vec == 8) || ((\vec >= 10) && (\vec <= 14)) || (\vec == 17) || (\vec == 21) || \
        (\vec == 29) || (\vec == 30)
    .else
    pushq $0
    .endif
    pushq $\vec
    jmp ct_isr_common
.endm
.macro CT_ISR_N n
    CT_ISR %n
.endm
    .align 16
    .globl ct_isr_stubs
ct_isr_stubs:
    .set vec, 0
    .rept 32
    CT_ISR_N %vec
    .set vec, vec + 1
    .endr

/* Stack: vector, error code, RIP, CS, RFLAGS, RSP, SS. */
ct_isr_common:
    testb $3, 24(%rsp)
    jz ct_isr_fatal                 /* a fault at CPL 0: a bug in the guest */
    cmpq $0, ct_active(%rip)
    je ct_isr_fatal                 /* a fault in the driver, not in a sequence */
    push %rax
    mov ct_out(%rip), %rax
    mov %rcx, 8(%rax)
    mov %rdx, 16(%rax)
    mov %rbx, 24(%rax)
    mov %rbp, 40(%rax)
    mov %rsi, 48(%rax)
    mov %rdi, 56(%rax)
    mov %r8, 64(%rax)
    mov %r9, 72(%rax)
    mov %r10, 80(%rax)
    mov %r11, 88(%rax)
    mov %r12, 96(%rax)
    mov %r13, 104(%rax)
    mov %r14, 112(%rax)
    mov %r15, 120(%rax)
    pop %rcx
    mov %rcx, 0(%rax)
    mov 40(%rsp), %rcx
    mov %rcx, 32(%rax)              /* RSP at the fault */
    mov 32(%rsp), %rcx
    mov %rcx, CTS_RFLAGS(%rax)
    lea ct_fault(%rip), %rax
    mov 0(%rsp), %rcx
    mov %rcx, CTF_VEC(%rax)
    mov 8(%rsp), %rcx
    mov %rcx, CTF_ERR(%rax)
    mov 16(%rsp), %rcx
    mov %rcx, CTF_RIP(%rax)
    mov 24(%rsp), %rcx
    mov %rcx, CTF_CS(%rax)
    mov 32(%rsp), %rcx
    mov %rcx, CTF_RFLAGS(%rax)
    mov 40(%rsp), %rcx
    mov %rcx, CTF_RSP(%rax)
    mov %cr2, %rcx
    mov %rcx, CTF_CR2(%rax)
    incq CTF_COUNT(%rax)
    /* Back to CPL 3 at the recovery point, flags clean (no TF, AC, DF). */
    lea ct_fault_resume(%rip), %rcx
    mov %rcx, 16(%rsp)
    movq $USER_CS, 24(%rsp)
    movq $2, 32(%rsp)
    mov ct_saved_rsp(%rip), %rcx
    mov %rcx, 40(%rsp)
    movq $USER_SS, 48(%rsp)
    add $16, %rsp
    iretq

ct_isr_fatal:
    mov %rsp, %rdi
    and $-16, %rsp
    call ct_fatal
1:  hlt
    jmp 1b

/* void ct_enter_user(void (*fn)(void), void *stack_top): IRETQ to CPL 3, no return. */
    .globl ct_enter_user
ct_enter_user:
    pushq $USER_SS
    pushq %rsi
    pushq $2                        /* RFLAGS: IF = 0, IOPL 0 */
    pushq $USER_CS
    pushq %rdi
    iretq

/* ---- ring 3 ---- */

/*
 * int ct_run(const CtState *in, CtState *out, const void *code)
 * Loads the FP state, the GPRs (not RSP) and RFLAGS of @in, jumps to @code with
 * RSP 16-byte aligned; @code ends with a jump to ct_done. Returns 0 after
 * ct_done, 1 after an exception (the handler filled @out's GPRs and ct_fault).
 */
    .globl ct_run
ct_run:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    sub $8, %rsp
    mov %rsp, ct_saved_rsp(%rip)
    mov %rsi, ct_out(%rip)
    mov %rdx, ct_code(%rip)
    movq $1, ct_active(%rip)
    fxrstor64 CTS_FX(%rdi)
    pushq CTS_RFLAGS(%rdi)
    mov 0(%rdi), %rax
    mov 8(%rdi), %rcx
    mov 16(%rdi), %rdx
    mov 24(%rdi), %rbx
    mov 40(%rdi), %rbp
    mov 48(%rdi), %rsi
    mov 64(%rdi), %r8
    mov 72(%rdi), %r9
    mov 80(%rdi), %r10
    mov 88(%rdi), %r11
    mov 96(%rdi), %r12
    mov 104(%rdi), %r13
    mov 112(%rdi), %r14
    mov 120(%rdi), %r15
    mov 56(%rdi), %rdi
    popfq
    jmp *ct_code(%rip)

    .globl ct_done
ct_done:
    pushfq
    push %rax
    mov ct_out(%rip), %rax
    popq 0(%rax)
    popq CTS_RFLAGS(%rax)
    mov %rcx, 8(%rax)
    mov %rdx, 16(%rax)
    mov %rbx, 24(%rax)
    mov %rsp, 32(%rax)
    mov %rbp, 40(%rax)
    mov %rsi, 48(%rax)
    mov %rdi, 56(%rax)
    mov %r8, 64(%rax)
    mov %r9, 72(%rax)
    mov %r10, 80(%rax)
    mov %r11, 88(%rax)
    mov %r12, 96(%rax)
    mov %r13, 104(%rax)
    mov %r14, 112(%rax)
    mov %r15, 120(%rax)
    fxsave64 CTS_FX(%rax)
    xor %eax, %eax
    jmp ct_leave

ct_fault_resume:
    mov ct_out(%rip), %rax
    fxsave64 CTS_FX(%rax)           /* no wait: a pending x87 exception stays pending */
    mov $1, %eax
ct_leave:
    movq $0, ct_active(%rip)
    mov ct_saved_rsp(%rip), %rsp
    pushq $2
    popfq
    add $8, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret

    .data
    .align 8
    .globl ct_active, ct_out, ct_fault, ct_saved_rsp
ct_active:
    .quad 0
ct_out:
    .quad 0
ct_code:
    .quad 0
ct_saved_rsp:
    .quad 0
ct_fault:
    .fill 8, 8, 0

    .section .note.GNU-stack, "", @progbits
