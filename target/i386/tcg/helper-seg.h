/*
 * Helpers for translate-seg.c (included from helper.h; see its comment for the flags).
 * Bodies: seg-helper.c (segments, far transfers, IRET, descriptor tables),
 * syscall-helper.c (SYSCALL/SYSRET/SYSENTER/SYSEXIT). They read descriptors and
 * stacks in guest memory, may raise exceptions and write registers held in
 * TCG globals (RSP, RCX, R11): no call flags.
 */
/* Segment register @seg (R_ES..R_GS) = selector, with the checks of the mode. */
DEF_HELPER_FLAGS_3(load_seg, 0, void, env, i32, i32)
/* Far JMP/CALL: selector, offset, operand size (2/4/8), [return RIP]. */
DEF_HELPER_FLAGS_4(ljmp, 0, void, env, i32, i64, i32)
DEF_HELPER_FLAGS_5(lcall, 0, void, env, i32, i64, i32, i64)
/* Far RET: operand size, bytes to release (RET imm16). */
DEF_HELPER_FLAGS_3(lret, 0, void, env, i32, i32)
DEF_HELPER_FLAGS_2(iret, 0, void, env, i32)
DEF_HELPER_FLAGS_2(syscall, 0, void, env, i64)
DEF_HELPER_FLAGS_2(sysret, 0, void, env, i32)
DEF_HELPER_FLAGS_1(sysenter, 0, void, env)
DEF_HELPER_FLAGS_2(sysexit, 0, void, env, i32)
DEF_HELPER_FLAGS_2(lldt, 0, void, env, i32)
DEF_HELPER_FLAGS_2(ltr, 0, void, env, i32)
/* LAR/LSL return the value, VERR/VERW only set ZF (in env->rflags: the caller
 * materializes the flags first). */
DEF_HELPER_FLAGS_2(lar, 0, i64, env, i32)
DEF_HELPER_FLAGS_2(lsl, 0, i64, env, i32)
DEF_HELPER_FLAGS_2(verr, 0, void, env, i32)
DEF_HELPER_FLAGS_2(verw, 0, void, env, i32)
/* #GP(0) when CR4.UMIP and CPL > 0. */
DEF_HELPER_FLAGS_1(check_umip, 0, void, env)
