/*
 * tci bytecode, shared by the emitter (tcg-target.c) and the interpreter (tci.c).
 *
 * The code is a stream of 32-bit words. Every instruction starts with
 *   bits 0-7 opcode, 8-15 r0, 16-23 r1, 24-31 r2
 * followed by the extra words its opcode needs (immediates, more registers, branch
 * displacements). Registers are 64-bit slots of the interpreter's register file;
 * i32 values are kept zero-extended. The opcode of an IR op is TCI_OP(opc, type);
 * the special instructions below follow the IR range.
 */
#ifndef TCG_TCI_H
#define TCG_TCI_H

#include "tcg/tcg.h"

#define TCI_NB_REGS 32
#define TCI_REG_TMP 29      /* scratch of the emitter (stores of constants) */
#define TCI_REG_FRAME 30    /* the spill frame */
#define TCI_REG_ENV 31
#define TCI_FRAME_SIZE 4096

#define TCI_OP(opc, type) ((opc) * 2 + (type))

enum {
    TCI_NOP = NB_OPS * 2,
    TCI_MOV,            /* r0 = r1 */
    TCI_MOVI32,         /* r0 = (uint32_t)w1 */
    TCI_MOVIS32,        /* r0 = (int32_t)w1 */
    TCI_MOVI64,         /* r0 = w1 | w2 << 32 */
    TCI_CALL,           /* r0 = nargs, r1 = result kind; w1,w2 = function */
    TCI_EXIT,           /* return w1 | w2 << 32 */
    TCI_GOTO_TB,        /* w1,w2 (8-aligned) = target */
    TCI_GOTO_PTR,       /* r0 */
    TCI_BR,             /* w1 = displacement from w1's address */
    TCI_MB,
    TCI_NB_OPS,
};

/* Branch displacement relocation. */
#define TCI_RELOC_DISP32 1

_Static_assert(TCI_NB_OPS <= 256, "tci opcodes fit a byte");

uintptr_t tci_tb_exec(TCGContext *s, void *env, const void *tc_ptr);

#endif
