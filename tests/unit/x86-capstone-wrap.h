/*
 * A neutral view of capstone's x86 decoding for test-x86-decode-diff.c.
 * capstone's x86.h and emu's decode.h both define X86_OP_* and X86_REG_*
 * names, so capstone lives in its own translation unit behind this header.
 */
#ifndef TESTS_UNIT_X86_CAPSTONE_WRAP_H
#define TESTS_UNIT_X86_CAPSTONE_WRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { CSW_REG, CSW_IMM, CSW_MEM };

typedef struct CswOp {
    int type;
    int size;
    char reg[12];               /* CSW_REG: capstone's register name */
    int64_t imm;                /* CSW_IMM */
    char seg[4], base[8], index[8];   /* CSW_MEM: "" when absent */
    int scale;
    int64_t disp;
} CswOp;

typedef struct CswInsn {
    int len;
    unsigned id;                /* capstone X86_INS_* */
    char mnemonic[32];
    char op_str[160];
    int nops;
    CswOp ops[8];
    bool outside_isa;           /* AVX, AVX-512, FMA, 3DNow!, XOP, SSE4a, VMX, SVM... */
    char group_names[96];
} CswInsn;

/* bits: 16, 32 or 64. Returns false if capstone is unavailable. */
bool csw_open(void);
void csw_close(void);
/* Decode one instruction; false if capstone rejects the bytes. */
bool csw_decode(int bits, const uint8_t *code, size_t len, uint64_t pc, CswInsn *out);
const char *csw_version(void);

#endif
