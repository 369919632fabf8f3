/*
 * Helpers for translate-x87.c (included from helper.h; see its comment for the flags).
 * "ctl" arguments are described in fpu-internal.h. Helpers that only touch the
 * x87 image (no TCG global, no exception) are NO_RWG; the ones with a memory
 * operand may fault and have no flags.
 */

/* A waiting instruction with FSW.ES set: #MF (CR0.NE) or FERR# (fpu-helper.c). */
DEF_HELPER_FLAGS_1(fpu_pending, 0, void, env)
/*
 * MMX (sse helpers call this first): #MF for a pending x87 exception, then
 * TOP = 0 and all tags valid, so MMn is ST slot n. EMMS: all tags empty.
 */
DEF_HELPER_FLAGS_1(mmx_enter, 0, void, env)
DEF_HELPER_FLAGS_1(emms, TCG_CALL_NO_RWG, void, env)

/* Arithmetic, compares, loads, stores (fpu-helper.c). */
DEF_HELPER_FLAGS_2(farith, TCG_CALL_NO_RWG, void, env, i32)
DEF_HELPER_FLAGS_3(farith_m, 0, void, env, i64, i32)
DEF_HELPER_FLAGS_2(fcom_st, TCG_CALL_NO_RWG, void, env, i32)
DEF_HELPER_FLAGS_3(fcom_m, 0, void, env, i64, i32)
/* FCOMI family: returns the new arithmetic flags (ZF PF CF). */
DEF_HELPER_FLAGS_2(fcomi, TCG_CALL_NO_RWG, i64, env, i32)
DEF_HELPER_FLAGS_2(fld_st, TCG_CALL_NO_RWG, void, env, i32)
DEF_HELPER_FLAGS_3(fld_m, 0, void, env, i64, i32)
DEF_HELPER_FLAGS_2(fst_st, TCG_CALL_NO_RWG, void, env, i32)
DEF_HELPER_FLAGS_3(fst_m, 0, void, env, i64, i32)
DEF_HELPER_FLAGS_2(fxch, TCG_CALL_NO_RWG, void, env, i32)
DEF_HELPER_FLAGS_3(fcmov, TCG_CALL_NO_RWG, void, env, i32, i32)
DEF_HELPER_FLAGS_2(ffree, TCG_CALL_NO_RWG, void, env, i32)
/* Operand-less instructions, by X86Opcode (FLD1, FSIN, FNINIT, ...). */
DEF_HELPER_FLAGS_2(fop, TCG_CALL_NO_RWG, void, env, i32)
DEF_HELPER_FLAGS_2(fldcw, TCG_CALL_NO_RWG, void, env, i32)
DEF_HELPER_FLAGS_1(fnstcw, TCG_CALL_NO_RWG_SE, i32, env)
DEF_HELPER_FLAGS_1(fnstsw, TCG_CALL_NO_RWG_SE, i32, env)

/* Environment and register images (fpu-env-helper.c). */
DEF_HELPER_FLAGS_3(fldenv, 0, void, env, i64, i32)
DEF_HELPER_FLAGS_3(fnstenv, 0, void, env, i64, i32)
DEF_HELPER_FLAGS_3(frstor, 0, void, env, i64, i32)
DEF_HELPER_FLAGS_3(fnsave, 0, void, env, i64, i32)

/* FXSAVE/FXRSTOR and the XSAVE family (xsave-helper.c); XSAVE* read EDX:EAX. */
DEF_HELPER_FLAGS_3(fxsave, 0, void, env, i64, i32)
DEF_HELPER_FLAGS_3(fxrstor, 0, void, env, i64, i32)
DEF_HELPER_FLAGS_3(xsave, 0, void, env, i64, i32)
DEF_HELPER_FLAGS_3(xrstor, 0, void, env, i64, i32)
