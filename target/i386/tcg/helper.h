/*
 * Helpers called from x86 generated code (declarations and gen_helper_*).
 * Flags follow docs/devel/tcg.md "Calling helpers": a helper that may raise a
 * guest exception or touches registers held in TCG globals has no NO_RWG.
 */
#ifndef TARGET_I386_TCG_HELPER_H
#define TARGET_I386_TCG_HELPER_H

#include "target/i386/cpu.h"
typedef struct CPUX86State CPUArchState;
#include "tcg/tcg-helper.h"

/* Pure flag computations (cc-helper.c). */
DEF_HELPER_FLAGS_5(cc_compute_all, TCG_CALL_NO_RWG_SE, i64, i32, i64, i64, i64, i64)
/* rotate/shld: result and new rflags; ks = kind << 2 | size. */
DEF_HELPER_FLAGS_4(rotate_val, TCG_CALL_NO_RWG_SE, i64, i64, i64, i32, i64)
DEF_HELPER_FLAGS_4(rotate_flags, TCG_CALL_NO_RWG_SE, i64, i64, i64, i32, i64)
DEF_HELPER_FLAGS_5(shiftd_val, TCG_CALL_NO_RWG_SE, i64, i64, i64, i64, i32, i64)
DEF_HELPER_FLAGS_5(shiftd_flags, TCG_CALL_NO_RWG_SE, i64, i64, i64, i64, i32, i64)

/* Division: reads and writes rAX/rDX, raises #DE (int-helper.c). ks = signed << 2 | size. */
DEF_HELPER_FLAGS_3(div, 0, void, env, i64, i32)

/* Exceptions and system (misc-helper.c). */
DEF_HELPER_FLAGS_2(raise_exception, TCG_CALL_NO_RETURN, void, env, i32)
DEF_HELPER_FLAGS_3(raise_exception_err, TCG_CALL_NO_RETURN, void, env, i32, i32)
DEF_HELPER_FLAGS_3(raise_interrupt, TCG_CALL_NO_RETURN, void, env, i32, i64)
DEF_HELPER_FLAGS_2(hlt, TCG_CALL_NO_RETURN, void, env, i64)
/* PAUSE: may end the time slice (accel/tcg tcg_engine_cpu_relax); RIP is stored. */
DEF_HELPER_FLAGS_1(pause, 0, void, env)
/* Single-step trap after an instruction (env->rip already the next one); the
 * recheck form only when RFLAGS.TF is set now (after SYSCALL/SYSRET). */
DEF_HELPER_FLAGS_1(single_step, TCG_CALL_NO_RETURN, void, env)
DEF_HELPER_FLAGS_1(recheck_single_step, 0, void, env)
DEF_HELPER_FLAGS_1(cpuid, 0, void, env)
DEF_HELPER_FLAGS_1(rdtsc, 0, void, env)
/* POPF: new rflags under the CPL/IOPL rules; @size 2, 4 or 8 bytes. */
DEF_HELPER_FLAGS_3(write_rflags, TCG_CALL_NO_RWG, void, env, i64, i32)

/* Per-area helpers. */
#include "target/i386/tcg/helper-seg.h"
#include "target/i386/tcg/helper-sys.h"
#include "target/i386/tcg/helper-ext.h"
#include "target/i386/tcg/helper-x87.h"
#include "target/i386/tcg/helper-sse.h"

#endif
