/*
 * A 32-bit IRET in protected mode at CPL 0, then a pass exit. On hardware KVM it
 * simply works; kvm_pvm's instruction emulator lacks it, and emu must then report
 * a KVM internal error with a register dump and stop the VM cleanly.
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00010003

    .section .multiboot, "a"
    .align 4
mb_header:
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)
    .long mb_header
    .long __image_start
    .long __data_end
    .long __image_end
    .long _start32

    .section .text.boot, "ax"
    .code32
    .globl _start32
_start32:
    mov $0x7000, %esp
    pushfl
    push %cs
    push $1f
    iretl
1:  mov $0x10, %al
    out %al, $0xf4
2:  hlt
    jmp 2b

    .section .note.GNU-stack, "", @progbits
