/*
 * The TCG opcode table, as an X-macro: DEF(name, nb_oargs, nb_iargs, nb_cargs, flags).
 *
 * Arguments of an op are laid out as outputs, then inputs, then constant arguments
 * (condition codes, labels, bit positions, MemOpIdx...). Ops flagged TCG_OPF_INT
 * exist for both TCG_TYPE_I32 and TCG_TYPE_I64; the op's `type` field says which, and
 * the op is printed as name_i32/name_i64. The semantics of each op are in
 * docs/devel/tcg.md ("Op reference").
 *
 * Include this file with DEF defined; it undefines DEF at the end.
 */

/* Pseudo ops handled by the generic code, never by a backend's op emitter. */
DEF(discard, 1, 0, 0, TCG_OPF_NOT_PRESENT)
DEF(set_label, 0, 0, 1, TCG_OPF_BB_END | TCG_OPF_NOT_PRESENT)
DEF(call, 0, 0, 3, TCG_OPF_CALL_CLOBBER | TCG_OPF_NOT_PRESENT)  /* variable arity */
DEF(insn_start, 0, 0, 3, TCG_OPF_NOT_PRESENT)
DEF(mov, 1, 1, 0, TCG_OPF_INT | TCG_OPF_NOT_PRESENT)

/* Control flow. */
DEF(br, 0, 0, 1, TCG_OPF_BB_END)
DEF(brcond, 0, 2, 2, TCG_OPF_BB_END | TCG_OPF_COND_BRANCH | TCG_OPF_INT)
DEF(mb, 0, 0, 1, TCG_OPF_SIDE_EFFECTS)
DEF(exit_tb, 0, 0, 1, TCG_OPF_BB_EXIT | TCG_OPF_BB_END)
DEF(goto_tb, 0, 0, 1, TCG_OPF_BB_EXIT | TCG_OPF_BB_END)
DEF(goto_ptr, 0, 1, 0, TCG_OPF_BB_EXIT | TCG_OPF_BB_END)

/* Comparisons. */
DEF(setcond, 1, 2, 1, TCG_OPF_INT)
DEF(negsetcond, 1, 2, 1, TCG_OPF_INT)
DEF(movcond, 1, 4, 1, TCG_OPF_INT)

/* Host memory, relative to a pointer temp: args are value, base, offset. */
DEF(ld8u, 1, 1, 1, TCG_OPF_INT)
DEF(ld8s, 1, 1, 1, TCG_OPF_INT)
DEF(ld16u, 1, 1, 1, TCG_OPF_INT)
DEF(ld16s, 1, 1, 1, TCG_OPF_INT)
DEF(ld32u, 1, 1, 1, TCG_OPF_INT)
DEF(ld32s, 1, 1, 1, TCG_OPF_INT)
DEF(ld, 1, 1, 1, TCG_OPF_INT)
DEF(st8, 0, 2, 1, TCG_OPF_INT)
DEF(st16, 0, 2, 1, TCG_OPF_INT)
DEF(st32, 0, 2, 1, TCG_OPF_INT)
DEF(st, 0, 2, 1, TCG_OPF_INT)

/* Arithmetic and logic. */
DEF(add, 1, 2, 0, TCG_OPF_INT)
DEF(sub, 1, 2, 0, TCG_OPF_INT)
DEF(mul, 1, 2, 0, TCG_OPF_INT)
DEF(div, 1, 2, 0, TCG_OPF_INT)
DEF(divu, 1, 2, 0, TCG_OPF_INT)
DEF(rem, 1, 2, 0, TCG_OPF_INT)
DEF(remu, 1, 2, 0, TCG_OPF_INT)
DEF(and, 1, 2, 0, TCG_OPF_INT)
DEF(or, 1, 2, 0, TCG_OPF_INT)
DEF(xor, 1, 2, 0, TCG_OPF_INT)
DEF(andc, 1, 2, 0, TCG_OPF_INT)
DEF(orc, 1, 2, 0, TCG_OPF_INT)
DEF(eqv, 1, 2, 0, TCG_OPF_INT)
DEF(nand, 1, 2, 0, TCG_OPF_INT)
DEF(nor, 1, 2, 0, TCG_OPF_INT)
DEF(shl, 1, 2, 0, TCG_OPF_INT)
DEF(shr, 1, 2, 0, TCG_OPF_INT)
DEF(sar, 1, 2, 0, TCG_OPF_INT)
DEF(rotl, 1, 2, 0, TCG_OPF_INT)
DEF(rotr, 1, 2, 0, TCG_OPF_INT)
DEF(neg, 1, 1, 0, TCG_OPF_INT)
DEF(not, 1, 1, 0, TCG_OPF_INT)
DEF(clz, 1, 2, 0, TCG_OPF_INT)
DEF(ctz, 1, 2, 0, TCG_OPF_INT)
DEF(ctpop, 1, 1, 0, TCG_OPF_INT)

/* Extensions (in-type), bit fields, byte swaps. */
DEF(ext8s, 1, 1, 0, TCG_OPF_INT)
DEF(ext8u, 1, 1, 0, TCG_OPF_INT)
DEF(ext16s, 1, 1, 0, TCG_OPF_INT)
DEF(ext16u, 1, 1, 0, TCG_OPF_INT)
DEF(ext32s, 1, 1, 0, TCG_OPF_INT)      /* i64 only */
DEF(ext32u, 1, 1, 0, TCG_OPF_INT)      /* i64 only */
DEF(deposit, 1, 2, 2, TCG_OPF_INT)     /* out, base, field, pos, len */
DEF(extract, 1, 1, 2, TCG_OPF_INT)     /* out, in, pos, len */
DEF(sextract, 1, 1, 2, TCG_OPF_INT)
DEF(extract2, 1, 2, 1, TCG_OPF_INT)    /* out, lo, hi, pos */
DEF(bswap16, 1, 1, 1, TCG_OPF_INT)     /* out, in, flags */
DEF(bswap32, 1, 1, 1, TCG_OPF_INT)
DEF(bswap64, 1, 1, 1, TCG_OPF_INT)     /* i64 only */

/* Double-word arithmetic. */
DEF(mulu2, 2, 2, 0, TCG_OPF_INT)       /* lo, hi, a, b */
DEF(muls2, 2, 2, 0, TCG_OPF_INT)
DEF(add2, 2, 4, 0, TCG_OPF_INT)        /* lo, hi, alo, ahi, blo, bhi */
DEF(sub2, 2, 4, 0, TCG_OPF_INT)

/* Type conversions (fixed types, no suffix). */
DEF(extu_i32_i64, 1, 1, 0, 0)
DEF(ext_i32_i64, 1, 1, 0, 0)
DEF(extrl_i64_i32, 1, 1, 0, 0)
DEF(extrh_i64_i32, 1, 1, 0, 0)

/* Guest memory: value, address (always i64), MemOpIdx. */
DEF(qemu_ld, 1, 1, 1, TCG_OPF_CALL_CLOBBER | TCG_OPF_SIDE_EFFECTS | TCG_OPF_INT)
DEF(qemu_st, 0, 2, 1, TCG_OPF_CALL_CLOBBER | TCG_OPF_SIDE_EFFECTS | TCG_OPF_INT)

#undef DEF
