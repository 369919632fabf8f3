/*
 * How the boot CPU starts when emu loads the guest itself (direct Linux boot,
 * multiboot) instead of running firmware: the loader fills an X86BootEntry and
 * the CPU applies it on every reset in place of the real-mode reset vector.
 */
#ifndef HW_I386_X86_BOOT_H
#define HW_I386_X86_BOOT_H

#include "util/osdep.h"

typedef enum {
    X86_BOOT_RESET_VECTOR,   /* no override: real mode at 0xfffffff0 */
    X86_BOOT_PROTECTED32,    /* flat 32-bit protected mode, paging off (multiboot) */
    X86_BOOT_LONG64,         /* 64-bit mode with emu-built page tables (Linux) */
} X86BootMode;

typedef struct X86BootEntry {
    X86BootMode mode;
    uint64_t rip;
    uint64_t rsp;
    uint64_t rax, rbx, rsi;      /* protocol registers (multiboot magic/info, zero page) */
    uint64_t cr3;                /* LONG64: PML4 built by the loader in guest RAM */
    uint64_t gdt_base;           /* a GDT the loader wrote into guest RAM */
    uint16_t gdt_limit;
    uint16_t cs, ds;             /* selectors into that GDT */
} X86BootEntry;

#endif
