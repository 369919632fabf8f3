/*
 * A small x86 system for translator tests: one TCG X86CPU (not realized, all
 * decoder features on) with 16 MiB of RAM at guest-physical 0, descriptor
 * tables, a TSS, identity paging, and an exception handler per vector that
 * stops the run, so a test can execute code in real mode, 32-bit protected
 * mode or long mode (ring 0 or 3) and inspect the CPU state and the
 * exception it raised.
 *
 *   x86run_init(TCG_BACKEND_TCI);
 *   x86run_setup(X86RUN_LONG);
 *   x86run_write(X86RUN_CODE, code, sizeof(code));
 *   X86RunResult r = x86run_exec(X86RUN_CODE, 100);
 *   g_assert_cmpint(r.stop, ==, X86RUN_EXCEPTION);
 *
 * Guest-physical layout (everything identity mapped; paging only in LONG):
 */
#ifndef TESTS_UNIT_X86_RUN_H
#define TESTS_UNIT_X86_RUN_H

#include "target/i386/decode.h"
#include "target/i386/tcg/tcg-internal.h"
#include "tcg/tcg.h"

#define X86RUN_RAM_SIZE  (16u << 20)
#define X86RUN_GDT       0x1000u    /* the selectors below; limit 0xfff */
#define X86RUN_IDT       0x2000u    /* 256 gates (16 bytes in LONG, 8 in PROT32) */
#define X86RUN_TSS       0x3000u    /* 64-bit or 32-bit TSS, limit 0x67 (no I/O bitmap) */
#define X86RUN_STUBS     0x4000u    /* vector v's handler: HLT at STUBS + 8 * v */
#define X86RUN_PML4      0x10000u   /* PML4, PDPT at +0x1000, 4 PDs: 0-4 GiB in 2 MiB
                                       pages, present/writable/user */
#define X86RUN_KSTACK    0x9f000u   /* initial RSP, TSS RSP0/ESP0 and IST1 */
#define X86RUN_USTACK    0x8f000u   /* a stack for ring-3 code */
#define X86RUN_CODE      0x100000u  /* where tests usually put code ... */
#define X86RUN_DATA      0x200000u  /* ... and data */

/* GDT selectors (Linux's SYSCALL/SYSRET layout: STAR = 0x0023000800000000). */
#define X86RUN_SEL_CS64  0x08       /* ring 0, 64-bit code */
#define X86RUN_SEL_DS    0x10       /* ring 0, flat 4 GiB data, B = 1 */
#define X86RUN_SEL_CS32  0x18       /* ring 0, flat 32-bit code */
#define X86RUN_SEL_UCS32 0x23       /* ring 3, flat 32-bit code */
#define X86RUN_SEL_UDS   0x2b       /* ring 3, flat data */
#define X86RUN_SEL_UCS64 0x33       /* ring 3, 64-bit code */
#define X86RUN_SEL_CS16  0x38       /* ring 0, 16-bit code, limit 0xffff */
#define X86RUN_SEL_DS16  0x40       /* ring 0, 16-bit data, limit 0xffff */
#define X86RUN_SEL_TSS   0x48       /* available TSS (two slots in long mode) */

typedef enum X86RunMode {
    X86RUN_REAL,     /* CR0.PE = 0, CS = DS = ES = SS = 0, SP = 0xf000 in SS 0x9000 */
    X86RUN_PROT32,   /* PE, no paging, CS = CS32, data = DS, ESP = KSTACK */
    X86RUN_LONG,     /* PE+PG+PAE, EFER LME/LMA/SCE/NXE, CS = CS64, RSP = KSTACK */
} X86RunMode;

typedef enum X86RunStop {
    X86RUN_HALT,         /* HLT outside the exception stubs */
    X86RUN_EXCEPTION,    /* an exception or interrupt reached its stub */
    X86RUN_TRIPLE_FAULT, /* the CPU asked for a reset */
    X86RUN_LIMIT,        /* still running after max_slices */
    X86RUN_FATAL,        /* the engine reported EXCP_FATAL */
} X86RunStop;

typedef struct X86RunResult {
    X86RunStop stop;
    int vector;              /* EXCEPTION */
    bool has_error_code;     /* the vector pushes one (never in real mode) */
    uint32_t error_code;
    uint64_t frame_rip;      /* return RIP/EIP/IP in the frame */
    uint16_t frame_cs;
    uint64_t frame_rflags;
    uint64_t frame_rsp;      /* pushed RSP/ESP (long mode always; 32-bit on a CPL change) */
    uint16_t frame_ss;
} X86RunResult;

/* Create the CPU and RAM (first call), (re)start the engine on @backend. */
void x86run_init(TCGBackendKind backend);
/* The backends this host has (native only on x86-64), for test loops. */
int x86run_backends(TCGBackendKind out[2]);

X86CPU *x86run_cpu(void);
CPUX86State *x86run_env(void);
uint8_t *x86run_ram(void);       /* host view of guest-physical 0 */

/* Guest-physical accesses through the memory API (writes drop stale translations;
 * reads outside RAM give all-ones, so a frame on a wild stack reads as such). */
void x86run_write(uint64_t gpa, const void *buf, size_t len);
void x86run_read(uint64_t gpa, void *buf, size_t len);
uint64_t x86run_read64(uint64_t gpa);

/*
 * Zero the registers, RFLAGS = 2 (IF = 0), build GDT/IDT/TSS/stubs/page
 * tables for @mode and load the CPU state for it (ring 0); flush the TLB
 * and every translation.
 */
void x86run_setup(X86RunMode mode);
/* Switch the loaded state to ring 3 (UCS64 or UCS32 by mode, SS = UDS, RSP = USTACK). */
void x86run_enter_user(void);

/* Run from @rip (in the current CS) for at most @max_slices engine slices. A
 * watchdog thread kicks the vCPU every 20 ms during a run, which also ends a
 * slice (code looping in chained TBs cannot hold the run forever). */
X86RunResult x86run_exec(uint64_t rip, unsigned max_slices);

/* The watchdog's period in microseconds (0: the default, 20 ms). */
void x86run_set_kick_interval(unsigned us);

/* "stop=exception vector=13 err=0x0 rip=..." for test messages. */
char *x86run_describe(const X86RunResult *r);

#endif
