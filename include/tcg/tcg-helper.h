/*
 * Declaring helpers: C functions that generated code calls.
 *
 *   DEF_HELPER_FLAGS_2(add_cc, TCG_CALL_NO_RWG_SE, i64, i64, i64)
 *
 * declares `uint64_t helper_add_cc(uint64_t, uint64_t);` (you define it in a .c file)
 * and `static inline void gen_helper_add_cc(TCGv_i64 ret, TCGv_i64 a1, TCGv_i64 a2)`
 * which emits the call. A void helper's gen_helper_* has no ret parameter.
 *
 * Types: void (return only), i32, s32, i64, s64, ptr (void *), env (CPUArchState *:
 * the includer must have `typedef struct X CPUArchState;` in scope). At most 6
 * arguments; every argument and result is an integer or pointer of <= 64 bits, which
 * is what lets tci call any helper through a fixed set of signatures.
 *
 * Flags (tcg.h): TCG_CALL_NO_READ_GLOBALS, NO_WRITE_GLOBALS, NO_SIDE_EFFECTS,
 * NO_RETURN and their combinations TCG_CALL_NO_RWG, NO_WG, NO_RWG_SE, NO_WG_SE.
 * A helper that can raise a guest exception (longjmp out) must be allowed to read
 * globals (no NO_READ_GLOBALS): only then are they in memory when it runs.
 */
#ifndef TCG_TCG_HELPER_H
#define TCG_TCG_HELPER_H

#include "tcg/tcg.h"

#define dh_ctype_void void
#define dh_ctype_i32 uint32_t
#define dh_ctype_s32 int32_t
#define dh_ctype_i64 uint64_t
#define dh_ctype_s64 int64_t
#define dh_ctype_ptr void *
#define dh_ctype_env CPUArchState *

#define dh_tv_i32 TCGv_i32
#define dh_tv_s32 TCGv_i32
#define dh_tv_i64 TCGv_i64
#define dh_tv_s64 TCGv_i64
#define dh_tv_ptr TCGv_ptr
#define dh_tv_env TCGv_ptr

#define dh_code_void TCG_HT_VOID
#define dh_code_i32 TCG_HT_I32
#define dh_code_s32 TCG_HT_S32
#define dh_code_i64 TCG_HT_I64
#define dh_code_s64 TCG_HT_S64
#define dh_code_ptr TCG_HT_PTR
#define dh_code_env TCG_HT_PTR

#define dh_temp_i32(x) tcgv_i32_temp(x)
#define dh_temp_s32(x) tcgv_i32_temp(x)
#define dh_temp_i64(x) tcgv_i64_temp(x)
#define dh_temp_s64(x) tcgv_i64_temp(x)
#define dh_temp_ptr(x) tcgv_ptr_temp(x)
#define dh_temp_env(x) tcgv_ptr_temp(x)

/* The ret parameter of gen_helper_*: absent for void. */
#define dh_retparam_void
#define dh_retparam_i32 TCGv_i32 ret,
#define dh_retparam_s32 TCGv_i32 ret,
#define dh_retparam_i64 TCGv_i64 ret,
#define dh_retparam_s64 TCGv_i64 ret,
#define dh_retparam_ptr TCGv_ptr ret,
#define dh_retparam0_void void
#define dh_retparam0_i32 TCGv_i32 ret
#define dh_retparam0_s32 TCGv_i32 ret
#define dh_retparam0_i64 TCGv_i64 ret
#define dh_retparam0_s64 TCGv_i64 ret
#define dh_retparam0_ptr TCGv_ptr ret
#define dh_rettemp_void NULL
#define dh_rettemp_i32 tcgv_i32_temp(ret)
#define dh_rettemp_s32 tcgv_i32_temp(ret)
#define dh_rettemp_i64 tcgv_i64_temp(ret)
#define dh_rettemp_s64 tcgv_i64_temp(ret)
#define dh_rettemp_ptr tcgv_ptr_temp(ret)

#define DH_INFO(NAME, FLAGS, RET, N, ...)                                           \
    static const TCGHelperInfo info = {                                             \
        .func = (void (*)(void))helper_##NAME, .name = #NAME, .flags = (FLAGS),     \
        .nargs = N, .ret = dh_code_##RET, .args = { __VA_ARGS__ } }

#define DEF_HELPER_FLAGS_0(NAME, FLAGS, RET)                                        \
    dh_ctype_##RET helper_##NAME(void);                                             \
    static inline void gen_helper_##NAME(dh_retparam0_##RET)                        \
    {                                                                               \
        DH_INFO(NAME, FLAGS, RET, 0, 0);                                            \
        tcg_gen_callN(&info, dh_rettemp_##RET, NULL);                               \
    }

#define DEF_HELPER_FLAGS_1(NAME, FLAGS, RET, T1)                                    \
    dh_ctype_##RET helper_##NAME(dh_ctype_##T1);                                    \
    static inline void gen_helper_##NAME(dh_retparam_##RET dh_tv_##T1 a1)           \
    {                                                                               \
        DH_INFO(NAME, FLAGS, RET, 1, dh_code_##T1);                                 \
        TCGTemp *args[1] = { dh_temp_##T1(a1) };                                    \
        tcg_gen_callN(&info, dh_rettemp_##RET, args);                               \
    }

#define DEF_HELPER_FLAGS_2(NAME, FLAGS, RET, T1, T2)                                \
    dh_ctype_##RET helper_##NAME(dh_ctype_##T1, dh_ctype_##T2);                     \
    static inline void gen_helper_##NAME(dh_retparam_##RET dh_tv_##T1 a1,           \
                                         dh_tv_##T2 a2)                             \
    {                                                                               \
        DH_INFO(NAME, FLAGS, RET, 2, dh_code_##T1, dh_code_##T2);                   \
        TCGTemp *args[2] = { dh_temp_##T1(a1), dh_temp_##T2(a2) };                  \
        tcg_gen_callN(&info, dh_rettemp_##RET, args);                               \
    }

#define DEF_HELPER_FLAGS_3(NAME, FLAGS, RET, T1, T2, T3)                            \
    dh_ctype_##RET helper_##NAME(dh_ctype_##T1, dh_ctype_##T2, dh_ctype_##T3);      \
    static inline void gen_helper_##NAME(dh_retparam_##RET dh_tv_##T1 a1,           \
                                         dh_tv_##T2 a2, dh_tv_##T3 a3)              \
    {                                                                               \
        DH_INFO(NAME, FLAGS, RET, 3, dh_code_##T1, dh_code_##T2, dh_code_##T3);     \
        TCGTemp *args[3] = { dh_temp_##T1(a1), dh_temp_##T2(a2), dh_temp_##T3(a3) }; \
        tcg_gen_callN(&info, dh_rettemp_##RET, args);                               \
    }

#define DEF_HELPER_FLAGS_4(NAME, FLAGS, RET, T1, T2, T3, T4)                        \
    dh_ctype_##RET helper_##NAME(dh_ctype_##T1, dh_ctype_##T2, dh_ctype_##T3,       \
                                 dh_ctype_##T4);                                    \
    static inline void gen_helper_##NAME(dh_retparam_##RET dh_tv_##T1 a1,           \
                                         dh_tv_##T2 a2, dh_tv_##T3 a3,              \
                                         dh_tv_##T4 a4)                             \
    {                                                                               \
        DH_INFO(NAME, FLAGS, RET, 4, dh_code_##T1, dh_code_##T2, dh_code_##T3,      \
                dh_code_##T4);                                                      \
        TCGTemp *args[4] = { dh_temp_##T1(a1), dh_temp_##T2(a2), dh_temp_##T3(a3),  \
                             dh_temp_##T4(a4) };                                    \
        tcg_gen_callN(&info, dh_rettemp_##RET, args);                               \
    }

#define DEF_HELPER_FLAGS_5(NAME, FLAGS, RET, T1, T2, T3, T4, T5)                    \
    dh_ctype_##RET helper_##NAME(dh_ctype_##T1, dh_ctype_##T2, dh_ctype_##T3,       \
                                 dh_ctype_##T4, dh_ctype_##T5);                     \
    static inline void gen_helper_##NAME(dh_retparam_##RET dh_tv_##T1 a1,           \
                                         dh_tv_##T2 a2, dh_tv_##T3 a3,              \
                                         dh_tv_##T4 a4, dh_tv_##T5 a5)              \
    {                                                                               \
        DH_INFO(NAME, FLAGS, RET, 5, dh_code_##T1, dh_code_##T2, dh_code_##T3,      \
                dh_code_##T4, dh_code_##T5);                                        \
        TCGTemp *args[5] = { dh_temp_##T1(a1), dh_temp_##T2(a2), dh_temp_##T3(a3),  \
                             dh_temp_##T4(a4), dh_temp_##T5(a5) };                  \
        tcg_gen_callN(&info, dh_rettemp_##RET, args);                               \
    }

#define DEF_HELPER_FLAGS_6(NAME, FLAGS, RET, T1, T2, T3, T4, T5, T6)                \
    dh_ctype_##RET helper_##NAME(dh_ctype_##T1, dh_ctype_##T2, dh_ctype_##T3,       \
                                 dh_ctype_##T4, dh_ctype_##T5, dh_ctype_##T6);      \
    static inline void gen_helper_##NAME(dh_retparam_##RET dh_tv_##T1 a1,           \
                                         dh_tv_##T2 a2, dh_tv_##T3 a3,              \
                                         dh_tv_##T4 a4, dh_tv_##T5 a5,              \
                                         dh_tv_##T6 a6)                             \
    {                                                                               \
        DH_INFO(NAME, FLAGS, RET, 6, dh_code_##T1, dh_code_##T2, dh_code_##T3,      \
                dh_code_##T4, dh_code_##T5, dh_code_##T6);                          \
        TCGTemp *args[6] = { dh_temp_##T1(a1), dh_temp_##T2(a2), dh_temp_##T3(a3),  \
                             dh_temp_##T4(a4), dh_temp_##T5(a5), dh_temp_##T6(a6) }; \
        tcg_gen_callN(&info, dh_rettemp_##RET, args);                               \
    }

#define DEF_HELPER_0(NAME, RET) DEF_HELPER_FLAGS_0(NAME, 0, RET)
#define DEF_HELPER_1(NAME, RET, T1) DEF_HELPER_FLAGS_1(NAME, 0, RET, T1)
#define DEF_HELPER_2(NAME, RET, T1, T2) DEF_HELPER_FLAGS_2(NAME, 0, RET, T1, T2)
#define DEF_HELPER_3(NAME, RET, T1, T2, T3) DEF_HELPER_FLAGS_3(NAME, 0, RET, T1, T2, T3)
#define DEF_HELPER_4(NAME, RET, T1, T2, T3, T4) \
    DEF_HELPER_FLAGS_4(NAME, 0, RET, T1, T2, T3, T4)
#define DEF_HELPER_5(NAME, RET, T1, T2, T3, T4, T5) \
    DEF_HELPER_FLAGS_5(NAME, 0, RET, T1, T2, T3, T4, T5)
#define DEF_HELPER_6(NAME, RET, T1, T2, T3, T4, T5, T6) \
    DEF_HELPER_FLAGS_6(NAME, 0, RET, T1, T2, T3, T4, T5, T6)

#endif
