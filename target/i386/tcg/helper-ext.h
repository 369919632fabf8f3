/*
 * Helpers for translate-ext.c (included from helper.h; see its comment for the flags).
 * Bodies in ext-helper.c.
 */
/* CRC32 (SSE4.2): CRC-32C of the low @bits of @val folded into @crc (SDM CRC32). */
DEF_HELPER_FLAGS_3(crc32c, TCG_CALL_NO_RWG_SE, i64, i64, i64, i32)
/* BMI2 PDEP/PEXT on 64-bit values (32-bit forms pass zero-extended operands). */
DEF_HELPER_FLAGS_2(pdep, TCG_CALL_NO_RWG_SE, i64, i64, i64)
DEF_HELPER_FLAGS_2(pext, TCG_CALL_NO_RWG_SE, i64, i64, i64)
/*
 * RDRAND/RDSEED: a random value of @size bytes from the host; writes the arithmetic
 * flags of env->rflags (CF = 1 when valid, the others 0): the caller sets CC_OP_EFLAGS.
 */
DEF_HELPER_FLAGS_2(rdrand, 0, i64, env, i32)
enum { X86_BCD_DAA, X86_BCD_DAS, X86_BCD_AAA, X86_BCD_AAS, X86_BCD_AAM, X86_BCD_AAD };
/*
 * DAA, DAS, AAA, AAS, AAM, AAD (@op: X86_BCD_*, @imm: the base of AAM/AAD): rAX and the
 * arithmetic flags in env->rflags, which the caller has materialized (CC_OP_EFLAGS).
 */
DEF_HELPER_FLAGS_3(bcd, 0, void, env, i32, i32)
