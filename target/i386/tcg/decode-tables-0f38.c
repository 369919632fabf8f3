/*
 * x86 three-byte opcode maps 0F 38 xx and 0F 3A xx (Intel SDM vol. 2
 * appendix A.3 tables) and the VEX-encoded general-purpose
 * instructions of BMI1/BMI2 (SDM vol. 2 chapter 3-4 opcode pages; VEX
 * format in §2.3). AVX proper is not decoded: its encodings are #UD.
 */
#include "decode-internal.h"

#define RW   F_RW0
#define W    F_W0

/* SSSE3: MMX form and 66-prefixed XMM form. */
#define SSSE3(opc) \
    PFX4(IF(opc, RW, SSSE3, Pq, Qq), IF(opc, RW, SSSE3, Vx, Wx), UD, UD)
/* 66-prefixed only. */
#define P66(opc, f, feat, ...) PFX4(UD, IF(opc, f, feat, __VA_ARGS__), UD, UD)
#define S41(opc, f, ...) P66(opc, f, SSE41, __VA_ARGS__)

const X86OpEntry x86_map_0f38[256] = {
    [0x00] = SSSE3(PSHUFB),
    [0x01] = SSSE3(PHADDW),
    [0x02] = SSSE3(PHADDD),
    [0x03] = SSSE3(PHADDSW),
    [0x04] = SSSE3(PMADDUBSW),
    [0x05] = SSSE3(PHSUBW),
    [0x06] = SSSE3(PHSUBD),
    [0x07] = SSSE3(PHSUBSW),
    [0x08] = SSSE3(PSIGNB),
    [0x09] = SSSE3(PSIGNW),
    [0x0a] = SSSE3(PSIGND),
    [0x0b] = SSSE3(PMULHRSW),
    [0x10] = S41(PBLENDVB, RW, Vx, Wx, XMM0),
    [0x14] = S41(BLENDVPS, RW, Vx, Wx, XMM0),
    [0x15] = S41(BLENDVPD, RW, Vx, Wx, XMM0),
    [0x17] = S41(PTEST, 0, Vx, Wx),
    [0x1c] = SSSE3(PABSB),
    [0x1d] = SSSE3(PABSW),
    [0x1e] = SSSE3(PABSD),
    [0x20] = S41(PMOVSXBW, W, Vx, Wq),
    [0x21] = S41(PMOVSXBD, W, Vx, Wd),
    [0x22] = S41(PMOVSXBQ, W, Vx, Ww),
    [0x23] = S41(PMOVSXWD, W, Vx, Wq),
    [0x24] = S41(PMOVSXWQ, W, Vx, Wd),
    [0x25] = S41(PMOVSXDQ, W, Vx, Wq),
    [0x28] = S41(PMULDQ, RW, Vx, Wx),
    [0x29] = S41(PCMPEQQ, RW, Vx, Wx),
    [0x2a] = S41(MOVNTDQA, W, Vx, Mx),
    [0x2b] = S41(PACKUSDW, RW, Vx, Wx),
    [0x30] = S41(PMOVZXBW, W, Vx, Wq),
    [0x31] = S41(PMOVZXBD, W, Vx, Wd),
    [0x32] = S41(PMOVZXBQ, W, Vx, Ww),
    [0x33] = S41(PMOVZXWD, W, Vx, Wq),
    [0x34] = S41(PMOVZXWQ, W, Vx, Wd),
    [0x35] = S41(PMOVZXDQ, W, Vx, Wq),
    [0x37] = P66(PCMPGTQ, RW, SSE42, Vx, Wx),
    [0x38] = S41(PMINSB, RW, Vx, Wx),
    [0x39] = S41(PMINSD, RW, Vx, Wx),
    [0x3a] = S41(PMINUW, RW, Vx, Wx),
    [0x3b] = S41(PMINUD, RW, Vx, Wx),
    [0x3c] = S41(PMAXSB, RW, Vx, Wx),
    [0x3d] = S41(PMAXSD, RW, Vx, Wx),
    [0x3e] = S41(PMAXUW, RW, Vx, Wx),
    [0x3f] = S41(PMAXUD, RW, Vx, Wx),
    [0x40] = S41(PMULLD, RW, Vx, Wx),
    [0x41] = S41(PHMINPOSUW, W, Vx, Wx),
    /* INVPCID flushes TLB entries the code fetch may depend on. */
    [0x82] = P66(INVPCID, F_PRIV | F_END | F_F64, INVPCID, Gr, Mx),
    [0xdb] = P66(AESIMC, W, AES, Vx, Wx),
    [0xdc] = P66(AESENC, RW, AES, Vx, Wx),
    [0xdd] = P66(AESENCLAST, RW, AES, Vx, Wx),
    [0xde] = P66(AESDEC, RW, AES, Vx, Wx),
    [0xdf] = P66(AESDECLAST, RW, AES, Vx, Wx),
    /*
     * F0/F1: MOVBE, or CRC32 with F2 (66 then is an operand-size prefix
     * for both: SDM CRC32 and MOVBE opcode tables).
     */
    [0xf0] = PFX4(IF(MOVBE, W, MOVBE, Gv, Mv), IF(MOVBE, W, MOVBE, Gv, Mv), UD,
                  IF(CRC32, RW, SSE42, Gy, Eb)),
    [0xf1] = PFX4(IF(MOVBE, W, MOVBE, Mv, Gv), IF(MOVBE, W, MOVBE, Mv, Gv), UD,
                  IF(CRC32, RW, SSE42, Gy, Ev)),
    [0xf6] = PFX4(UD, IF(ADCX, RW, ADX, Gy, Ey), IF(ADOX, RW, ADX, Gy, Ey), UD),
};

const X86OpEntry x86_map_0f3a[256] = {
    [0x08] = S41(ROUNDPS, W, Vx, Wx, Ib),
    [0x09] = S41(ROUNDPD, W, Vx, Wx, Ib),
    [0x0a] = S41(ROUNDSS, W, Vd, Wd, Ib),
    [0x0b] = S41(ROUNDSD, W, Vq, Wq, Ib),
    [0x0c] = S41(BLENDPS, RW, Vx, Wx, Ib),
    [0x0d] = S41(BLENDPD, RW, Vx, Wx, Ib),
    [0x0e] = S41(PBLENDW, RW, Vx, Wx, Ib),
    [0x0f] = PFX4(IF(PALIGNR, RW, SSSE3, Pq, Qq, Ib), IF(PALIGNR, RW, SSSE3, Vx, Wx, Ib),
                  UD, UD),
    [0x14] = S41(PEXTRB, W, Ebd, Vx, Ib),
    [0x15] = S41(PEXTRW, W, Ewd, Vx, Ib),
    [0x16] = S41(PEXTRD, W, Ey, Vx, Ib),
    [0x17] = S41(EXTRACTPS, W, Edy, Vx, Ib),
    [0x20] = S41(PINSRB, RW, Vx, Ebd, Ib),
    [0x21] = S41(INSERTPS, RW, Vx, Wxd, Ib),
    [0x22] = S41(PINSRD, RW, Vx, Ey, Ib),
    [0x40] = S41(DPPS, RW, Vx, Wx, Ib),
    [0x41] = S41(DPPD, RW, Vx, Wx, Ib),
    [0x42] = S41(MPSADBW, RW, Vx, Wx, Ib),
    [0x44] = P66(PCLMULQDQ, RW, PCLMULQDQ, Vx, Wx, Ib),
    /* SSE4.2 string compares do not require an aligned m128 (SDM 12.10.1). */
    [0x60] = P66(PCMPESTRM, F_UNAL, SSE42, Vx, Wx, Ib),
    [0x61] = P66(PCMPESTRI, F_UNAL, SSE42, Vx, Wx, Ib),
    [0x62] = P66(PCMPISTRM, F_UNAL, SSE42, Vx, Wx, Ib),
    [0x63] = P66(PCMPISTRI, F_UNAL, SSE42, Vx, Wx, Ib),
    [0xdf] = P66(AESKEYGENASSIST, W, AES, Vx, Wx, Ib),
};

/* VEX.L0 forms; pp: 0 none, 1 66, 2 F3, 3 F2. */
static const X86OpEntry vex_andn = IF(ANDN, W, BMI1, Gy, By, Ey);
static const X86OpEntry vex_grp17 = GROUP8(
    UD, IF(BLSR, W, BMI1, By, Ey), IF(BLSMSK, W, BMI1, By, Ey),
    IF(BLSI, W, BMI1, By, Ey), UD, UD, UD, UD);
static const X86OpEntry vex_f5[4] = {
    IF(BZHI, W, BMI2, Gy, Ey, By), UD, IF(PEXT, W, BMI2, Gy, By, Ey),
    IF(PDEP, W, BMI2, Gy, By, Ey),
};
static const X86OpEntry vex_mulx = IF(MULX, W, BMI2, Gy, By, Ey);
static const X86OpEntry vex_f7[4] = {
    IF(BEXTR, W, BMI1, Gy, Ey, By), IF(SHLX, W, BMI2, Gy, Ey, By),
    IF(SARX, W, BMI2, Gy, Ey, By), IF(SHRX, W, BMI2, Gy, Ey, By),
};
static const X86OpEntry vex_rorx = IF(RORX, W, BMI2, Gy, Ey, Ib);

const X86OpEntry *x86_vex_entry(unsigned map, unsigned opbyte, unsigned pp)
{
    if (map == 2) {
        switch (opbyte) {
        case 0xf2:
            return pp == 0 ? &vex_andn : NULL;
        case 0xf3:
            return pp == 0 ? &vex_grp17 : NULL;
        case 0xf5:
            return vex_f5[pp].kind ? &vex_f5[pp] : NULL;
        case 0xf6:
            return pp == 3 ? &vex_mulx : NULL;
        case 0xf7:
            return &vex_f7[pp];
        }
    } else if (map == 3 && opbyte == 0xf0 && pp == 3) {
        return &vex_rorx;
    }
    return NULL;
}
