/*
 * Differential test of the x86 decoder against capstone: millions of random
 * and structured byte sequences in 64-, 32- and 16-bit mode. For every input
 * capstone decodes as an instruction of the ISA emu supports, the length,
 * mnemonic and operands (registers, memory components, immediates) must
 * match; inputs capstone rejects must be #UD for emu. Known capstone 4
 * mistakes are listed in `exceptions` with the reason; anything else is a
 * difference and fails the test. SKIPs when emu was built without capstone.
 *
 * X86_DIFF_CASES=n sets the number of cases per mode and generator,
 * X86_DIFF_VERBOSE=1 prints every difference and per-exception samples.
 */
#include "util/osdep.h"
#include "target/i386/decode.h"
#include "x86-capstone-wrap.h"

typedef struct Case {
    int bits;
    const uint8_t *code;
    const CswInsn *cs;          /* NULL: capstone rejected the bytes */
    const X86Insn *us;
    X86DecodeStatus st;
    const char *what;           /* mismatch description */
} Case;

typedef struct Exception {
    const char *name;
    const char *reason;
    bool (*match)(const Case *c);
    uint64_t hits;
} Exception;

static bool verbose;

static const char *strip_prefixes(const char *m);
static bool compare(Case *c);
static bool is_far_ptr(const X86Insn *us);
static bool excused_other(const Case *c);
static bool mnem_eq(const X86Insn *us, const char *ours, const char *cs);
static void our_mnemonic(const X86Insn *in, char *buf, size_t size);

static uint32_t mode_of(int bits)
{
    return bits == 64 ? X86_MODE_LONG64 : bits == 32 ? X86_MODE_PROT32 : X86_MODE_PROT16;
}

/* Skip legacy prefixes and REX; returns the offset of the opcode. */
static int opcode_offset(const Case *c)
{
    int i = 0;
    for (; i < 15; i++) {
        uint8_t b = c->code[i];
        if (b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 || b == 0xf3 ||
            b == 0x2e || b == 0x36 || b == 0x3e || b == 0x26 || b == 0x64 || b == 0x65) {
            continue;
        }
        if (c->bits == 64 && (b & 0xf0) == 0x40) {
            continue;
        }
        break;
    }
    return i;
}

static bool has_prefix(const Case *c, uint8_t p)
{
    int n = opcode_offset(c);
    for (int i = 0; i < n; i++) {
        if (c->code[i] == p) {
            return true;
        }
    }
    return false;
}

static bool cs_mnem(const Case *c, const char *m)
{
    return c->cs && !strcmp(c->cs->mnemonic, m);
}

static bool us_is(const Case *c, X86Opcode op)
{
    return c->st == X86_DECODE_OK && c->us->opcode == op;
}

/* ---- Documented capstone 4.0.2 mistakes ---------------------------------- */

static bool ex_branch66(const Case *c)
{
    /* 66-prefixed near JMP/CALL/Jcc/RET in 64-bit mode. */
    return c->bits == 64 && has_prefix(c, 0x66) && c->st == X86_DECODE_OK &&
           (c->us->flags & X86_INSN_BRANCH) &&
           (c->us->opcode == X86_OP_JMP || c->us->opcode == X86_OP_CALL ||
            c->us->opcode == X86_OP_JCC || c->us->opcode == X86_OP_RET ||
            c->us->opcode == X86_OP_LOOP || c->us->opcode == X86_OP_LOOPE ||
            c->us->opcode == X86_OP_LOOPNE || c->us->opcode == X86_OP_JRCXZ);
}

static bool ex_ud01(const Case *c)
{
    return us_is(c, X86_OP_UD0) || us_is(c, X86_OP_UD1);
}

static bool ex_vex_prefix(const Case *c)
{
    return c->st == X86_DECODE_EXCEPTION && c->us->why &&
           g_str_has_prefix(c->us->why, "VEX after");
}

static bool ex_mov_cs(const Case *c)
{
    return c->st == X86_DECODE_EXCEPTION && c->us->why && !strcmp(c->us->why, "MOV to CS");
}

static bool ex_bad_cr(const Case *c)
{
    return c->st == X86_DECODE_EXCEPTION && c->us->why &&
           !strcmp(c->us->why, "invalid control register");
}

/*
 * capstone ignored a 66/F2/F3 that the SDM marks not permitted (NP), or fell
 * back to the 66 form when the F2/F3 form does not exist.
 */
static bool np_prefix_one(const Case *c, bool keep66)
{
    uint8_t code[16];
    int n = 0, off = opcode_offset(c);
    X86Insn in;
    char m[32];

    if (!c->cs || c->st != X86_DECODE_EXCEPTION || c->us->exception != X86_EXC_UD) {
        return false;
    }
    for (int i = 0; i < 15; i++) {
        uint8_t b = c->code[i];
        if (i < off && ((b == 0x66 && !keep66) || b == 0xf2 || b == 0xf3 || b == 0xf0)) {
            continue;
        }
        code[n++] = b;
    }
    if (n == 15 || x86_decode_buf(mode_of(c->bits), X86_FEATURES_ALL, 0x1000, code, n, &in) !=
        X86_DECODE_OK) {
        return false;
    }
    our_mnemonic(&in, m, sizeof(m));
    return mnem_eq(&in, m, c->cs->mnemonic);
}

static bool ex_np_prefix(const Case *c)
{
    return np_prefix_one(c, false) || np_prefix_one(c, true);
}

static bool ex_branch66_legacy(const Case *c)
{
    return c->bits != 64 && has_prefix(c, 0x66) && c->st == X86_DECODE_OK &&
           c->us->num_ops == 1 && c->us->op[0].kind == X86_OPK_REL;
}

static bool ex_pause16(const Case *c)
{
    return c->bits == 16 && us_is(c, X86_OP_PAUSE);
}

static bool ex_lsl_rexw(const Case *c)
{
    return us_is(c, X86_OP_LSL) && (c->us->rex & X86_REX_W) && !strncmp(c->what, "operand", 7);
}

/* In the SDM, unknown to capstone 4.0.2. */
static bool ex_newer(const Case *c)
{
    return (!c->cs && (us_is(c, X86_OP_RDPKRU) || us_is(c, X86_OP_WRPKRU))) ||
           (us_is(c, X86_OP_RDPID) && (!c->cs || cs_mnem(c, "rdseed")));
}

static bool ex_f3_movq_rexw(const Case *c)
{
    return us_is(c, X86_OP_MOVQ) && c->us->map == 1 && c->us->opbyte == 0x7e &&
           (c->us->rex & X86_REX_W);
}

static bool ex_rexw_90(const Case *c)
{
    return (us_is(c, X86_OP_PAUSE) || us_is(c, X86_OP_NOP)) && c->us->map == 0 &&
           (c->us->prefixes & X86_PFX_REX) && (cs_mnem(c, "xchg") || cs_mnem(c, "nop"));
}

static bool ex_swapgs(const Case *c)
{
    return c->bits != 64 && c->st == X86_DECODE_EXCEPTION && cs_mnem(c, "swapgs");
}

static bool ex_movsxd32(const Case *c)
{
    return us_is(c, X86_OP_MOVSXD) && !(c->us->rex & X86_REX_W) && c->cs &&
           c->cs->ops[0].reg[0] == 'r';
}

static bool ex_far_m1632(const Case *c)
{
    return c->st == X86_DECODE_OK && is_far_ptr(c->us) && !(c->us->rex & X86_REX_W) &&
           g_str_has_prefix(c->what, "memory size") &&
           (c->bits == 64 || c->us->data_size != c->bits / 8);
}

static bool ex_x87_env_sizes(const Case *c)
{
    static const X86Opcode ops[] = {
        X86_OP_FNSTSW, X86_OP_FNSTCW, X86_OP_FLDCW, X86_OP_FLDENV, X86_OP_FNSTENV,
        X86_OP_FRSTOR, X86_OP_FNSAVE, X86_OP_FXSAVE, X86_OP_FXRSTOR,
    };
    for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
        if (us_is(c, ops[i]) && c->us->op[0].kind == X86_OPK_MEM &&
            g_str_has_prefix(c->what, "memory size")) {
            return true;
        }
    }
    return false;
}

static bool ex_prefetch_alias(const Case *c)
{
    return !c->cs && c->st == X86_DECODE_OK && c->us->map == 1 && c->us->opbyte == 0x0d;
}

static bool ex_hint_nop(const Case *c)
{
    return !c->cs && us_is(c, X86_OP_NOP) && c->us->map == 1 &&
           c->us->opbyte >= 0x18 && c->us->opbyte <= 0x1f;
}

static bool ex_cbw16(const Case *c)
{
    return c->bits == 16 && (us_is(c, X86_OP_CBW) || us_is(c, X86_OP_CWD)) &&
           c->us->data_size == 2 && (cs_mnem(c, "cwde") || cs_mnem(c, "cdq"));
}

static bool ex_mmx_m32(const Case *c)
{
    return c->st == X86_DECODE_OK && (c->us->flags & X86_INSN_MMX) &&
           (c->us->opcode == X86_OP_PUNPCKLBW || c->us->opcode == X86_OP_PUNPCKLWD ||
            c->us->opcode == X86_OP_PUNPCKLDQ) &&
           g_str_has_prefix(c->what, "memory size");
}

static bool ex_lar_lsl_m16(const Case *c)
{
    return (us_is(c, X86_OP_LAR) || us_is(c, X86_OP_LSL)) &&
           g_str_has_prefix(c->what, "memory size");
}

static bool ex_lock(const Case *c)
{
    return c->st == X86_DECODE_EXCEPTION && c->us->why &&
           g_str_has_prefix(c->us->why, "LOCK prefix");
}

static bool ex_dr8(const Case *c)
{
    return c->st == X86_DECODE_EXCEPTION && c->us->why &&
           g_str_has_prefix(c->us->why, "DR8-DR15");
}

static bool ex_comiss(const Case *c)
{
    return (us_is(c, X86_OP_COMISS) || us_is(c, X86_OP_COMISD)) &&
           g_str_has_prefix(c->what, "memory size");
}

static bool ex_hint_nop_size(const Case *c)
{
    return us_is(c, X86_OP_NOP) && c->us->map == 1 && g_str_has_prefix(c->what, "memory size");
}

/*
 * capstone honours a mandatory/size prefix only in some positions: rebuild
 * the prefixes deduplicated, in a fixed order (66 before or after F2/F3).
 * Returns how many prefix bytes were dropped.
 */
static int canonical_prefixes(const Case *c, uint8_t *out, bool rep_first)
{
    int off = opcode_offset(c), n = 0;
    uint8_t seg = 0, rep = 0, rex = 0;
    bool p66 = false, p67 = false, lock = false;

    for (int i = 0; i < off; i++) {
        uint8_t b = c->code[i];
        switch (b) {
        case 0x66: p66 = true; rex = 0; break;
        case 0x67: p67 = true; rex = 0; break;
        case 0xf0: lock = true; rex = 0; break;
        case 0xf2: case 0xf3: rep = b; rex = 0; break;
        case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
            seg = b; rex = 0; break;
        default: rex = b; break;
        }
    }
    if (seg) {
        out[n++] = seg;
    }
    if (p67) {
        out[n++] = 0x67;
    }
    if (lock) {
        out[n++] = 0xf0;
    }
    if (p66 && !rep_first) {
        out[n++] = 0x66;
    }
    if (rep) {
        out[n++] = rep;
    }
    if (p66 && rep_first) {
        out[n++] = 0x66;
    }
    if (rex) {
        out[n++] = rex;
    }
    memcpy(out + n, c->code + off, 15 - off);
    memset(out + n + 15 - off, 0x90, off - n);
    return off - n;
}

static bool prefix_order_one(const Case *c, bool rep_first)
{
    uint8_t code[16];
    CswInsn cs;
    X86Insn us;
    Case c2 = *c;
    char a[160], b[160];
    int dropped;

    dropped = canonical_prefixes(c, code, rep_first);
    c2.code = code;
    c2.us = &us;
    c2.cs = csw_decode(c->bits, code, 15, 0x1000, &cs) ? &cs : NULL;
    c2.st = x86_decode_buf(mode_of(c->bits), X86_FEATURES_ALL, 0x1000, code, 15, &us);
    /* emu itself must not care about the order... */
    if (c2.st != c->st) {
        return false;
    }
    if (c->st == X86_DECODE_OK) {
        x86_insn_format(c->us, a, sizeof(a));
        x86_insn_format(&us, b, sizeof(b));
        if (c->us->len != us.len + dropped || strcmp(a, b)) {
            return false;
        }
    }
    /* ...and capstone agrees once the prefixes are in its favourite order. */
    return compare(&c2) || (c2.cs && c2.cs->outside_isa) || excused_other(&c2);
}

static bool ex_prefix_order(const Case *c)
{
    return opcode_offset(c) >= 2 && (prefix_order_one(c, false) || prefix_order_one(c, true));
}

/* capstone 4 treats 67 with REX.W like a 66 mandatory prefix. */
static bool ex_adsize_rexw(const Case *c)
{
    uint8_t code[16];
    int off = opcode_offset(c), n = 0;
    X86Insn in;
    char m[32];

    if (c->bits != 64 || !c->cs || !has_prefix(c, 0x67) || off == 0 ||
        (c->code[off - 1] & 0xf8) != 0x48) {
        return false;
    }
    for (int i = 0; i < 15; i++) {
        if (i == off - 1) {
            code[n++] = 0x66;
        }
        if (i < off && (c->code[i] == 0xf2 || c->code[i] == 0xf3 || c->code[i] == 0xf0)) {
            continue;
        }
        code[n++] = c->code[i];
    }
    if (x86_decode_buf(mode_of(c->bits), X86_FEATURES_ALL, 0x1000, code, 16, &in) !=
        X86_DECODE_OK) {
        return false;
    }
    our_mnemonic(&in, m, sizeof(m));
    return mnem_eq(&in, m, c->cs->mnemonic);
}

static bool ex_io_rexw(const Case *c)
{
    return c->st == X86_DECODE_OK && (c->us->flags & X86_INSN_IO) &&
           (c->us->rex & X86_REX_W);
}

/* Implicit-size instructions whose size only shows in the mnemonic. */
static bool ex_rexw_over_66(const Case *c)
{
    switch (c->st == X86_DECODE_OK ? c->us->opcode : X86_OP_INVALID) {
    case X86_OP_PUSHF: case X86_OP_POPF: case X86_OP_IRET: case X86_OP_CBW:
    case X86_OP_CWD: case X86_OP_MOVS: case X86_OP_CMPS: case X86_OP_STOS:
    case X86_OP_LODS: case X86_OP_SCAS: case X86_OP_RETF: case X86_OP_PUSH: case X86_OP_POP:
        return (c->us->rex & X86_REX_W) && (has_prefix(c, 0x66) || has_prefix(c, 0x67));
    default:
        return false;
    }
}

static bool ex_adsize_jrcxz(const Case *c)
{
    return (us_is(c, X86_OP_JRCXZ) || us_is(c, X86_OP_LOOP) || us_is(c, X86_OP_LOOPE) ||
            us_is(c, X86_OP_LOOPNE) || us_is(c, X86_OP_JCC) || us_is(c, X86_OP_JMP) ||
            us_is(c, X86_OP_CALL)) && has_prefix(c, 0x67);
}

static bool ex_lock_cr8(const Case *c)
{
    return c->st == X86_DECODE_OK && c->us->num_ops == 2 &&
           ((c->us->op[0].kind == X86_OPK_CR && c->us->op[0].reg == 8) ||
            (c->us->op[1].kind == X86_OPK_CR && c->us->op[1].reg == 8)) &&
           (c->us->prefixes & X86_PFX_LOCK);
}

/*
 * capstone 4's 16-bit mode ignores mandatory 66/F2/F3 in the 0F maps. A
 * mandatory prefix means the same in 32-bit mode, where capstone gets it
 * right: emu's 16-bit decode must then name what capstone's 32-bit one does.
 */
static bool ex_16bit_mandatory(const Case *c)
{
    int off = opcode_offset(c);
    CswInsn cs32;
    char m[32];

    if (c->bits != 16 || c->code[off] != 0x0f ||
        !(has_prefix(c, 0x66) || has_prefix(c, 0xf2) || has_prefix(c, 0xf3))) {
        return false;
    }
    if (!csw_decode(32, c->code, 15, 0x1000, &cs32)) {
        return c->st != X86_DECODE_OK;
    }
    if (c->st != X86_DECODE_OK) {
        return cs32.outside_isa;
    }
    our_mnemonic(c->us, m, sizeof(m));
    if (c->us->opcode == X86_OP_CMPPS || c->us->opcode == X86_OP_CMPPD ||
        c->us->opcode == X86_OP_CMPSS || c->us->opcode == X86_OP_CMPSD) {
        /* The 32-bit reading has another immediate: compare cmp..ps/pd/ss/sd. */
        size_t l = strlen(cs32.mnemonic);
        return g_str_has_prefix(cs32.mnemonic, "cmp") && l >= 5 &&
               !strcmp(cs32.mnemonic + l - 2, m + strlen(m) - 2);
    }
    return mnem_eq(c->us, m, cs32.mnemonic);
}

static bool ex_rexw_sreg(const Case *c)
{
    return !c->cs && c->bits == 64 && (c->us->prefixes & X86_PFX_REX) &&
           (us_is(c, X86_OP_MOV_FROM_SEG) || us_is(c, X86_OP_MOV_TO_SEG));
}

static bool ex_fence_rm(const Case *c)
{
    return !c->cs && (us_is(c, X86_OP_LFENCE) || us_is(c, X86_OP_MFENCE) ||
                      us_is(c, X86_OP_SFENCE));
}

static Exception exceptions[] = {
    { "branch-66-legacy",
      "66 on a near branch in 16/32-bit code: the target is truncated to the new operand "
      "size (SDM vol. 2 Jcc/JMP: IF OperandSize = 16 THEN EIP AND 0000FFFFH); capstone 4 "
      "truncates wrongly", ex_branch66_legacy },
    { "pause-16bit",
      "F3 90 is PAUSE in every mode (SDM vol. 2 PAUSE); capstone 4's 16-bit mode says nop",
      ex_pause16 },
    { "lsl-rexw",
      "REX.W LSL reads r32/m16 (SDM vol. 2 LSL: LSL r64, r32/m16); capstone 4 shows r64",
      ex_lsl_rexw },
    { "newer-than-capstone",
      "RDPKRU/WRPKRU (0F 01 EE/EF) and RDPID (F3 0F C7 /7) are in the SDM; capstone "
      "4.0.2 does not know them (it decodes RDPID as RDSEED)", ex_newer },
    { "f3-0f7e-rexw",
      "F3 0F 7E is MOVQ xmm, xmm/m64 and REX.W does not change it (SDM vol. 2 MOVQ); "
      "capstone 4 decodes the REX.W form as MMX MOVD", ex_f3_movq_rexw },
    { "rex-90",
      "90 with a REX prefix other than REX.B is still NOP, F3 90 still PAUSE (SDM vol. 2 "
      "XCHG, PAUSE); capstone 4 shows xchg rax, rax", ex_rexw_90 },
    { "swapgs-64",
      "SWAPGS is #UD outside 64-bit mode (SDM vol. 2 SWAPGS); capstone decodes it",
      ex_swapgs },
    { "rexw-over-66",
      "REX.W beats 66 (SDM vol. 2 table 2-4: popfq, iretq, cdqe...); capstone 4 names "
      "the 16-bit form when 66 or 67 is also present", ex_rexw_over_66 },
    { "adsize-branch",
      "67 changes the counter register of JrCXZ/LOOP and never the branch target width "
      "(SDM vol. 2 Jcc, LOOP); capstone 4 applies it to the target or ignores it",
      ex_adsize_jrcxz },
    { "lock-mov-cr8",
      "LOCK MOV CR0 is MOV CR8 on CPUs with cr8legacy (AMD APM vol. 3 MOV CRn); "
      "capstone rejects it", ex_lock_cr8 },
    { "16bit-mandatory-prefix",
      "capstone 4 in 16-bit mode ignores mandatory 66/F2/F3 prefixes of the 0F maps "
      "(66 0F FD is paddw xmm, not mm); 32/64-bit runs check these forms",
      ex_16bit_mandatory },
    { "adsize-rexw-as-66",
      "capstone 4 treats 67 together with REX.W as a 66 mandatory prefix (movhps -> "
      "movhpd); checked by inserting 66: emu then agrees", ex_adsize_rexw },
    { "io-rexw",
      "IN/OUT have no 64-bit form: REX.W selects 32 bits whatever 66 says, as in QEMU; "
      "capstone 4 shows AX", ex_io_rexw },
    { "rexw-mov-sreg",
      "REX-prefixed 8C/8E (MOV r/m, Sreg and MOV Sreg, r/m, e.g. REX.B for r13) are valid "
      "(SDM vol. 2 MOV); capstone 4 rejects them", ex_rexw_sreg },
    { "fence-rm",
      "0F AE E8-EF/F0-F7/F8-FF are LFENCE/MFENCE/SFENCE whatever ModRM.rm is (the CPU "
      "ignores it; QEMU accepts it too); capstone 4 takes only E8/F0/F8", ex_fence_rm },
    { "prefix-order",
      "legacy prefixes may come in any order (SDM vol. 2 section 2.1.1) and F2/F3 select "
      "the SSE form over 66; capstone 4 honours a mandatory prefix only next to the "
      "opcode. Checked by reordering: both decoders then agree", ex_prefix_order },
    { "lock-not-checked",
      "LOCK on a non-lockable instruction or a register destination is #UD (SDM vol. 2 "
      "LOCK); capstone does not check", ex_lock },
    { "dr8-15",
      "MOV DR with REX.R is #UD (SDM vol. 2 MOV-Move to/from Debug Registers); capstone "
      "decodes DR8-DR15", ex_dr8 },
    { "comiss-size",
      "COMISS/COMISD read m32/m64 (SDM vol. 2 COMISS); capstone reports m128", ex_comiss },
    { "hint-nop-size",
      "0F 19-0F 1E hint NOPs are NOP Ev (REX.W: qword); capstone 4 reports dword/word",
      ex_hint_nop_size },
    { "vex-after-prefix",
      "VEX after 66/F2/F3/LOCK/REX is #UD (SDM vol. 2 section 2.3.2); capstone decodes it",
      ex_vex_prefix },
    { "mov-to-cs",
      "MOV CS, r/m is #UD (SDM vol. 2 MOV); capstone decodes it", ex_mov_cs },
    { "reserved-cr",
      "MOV to/from CR1, CR5-CR7, CR9-CR15 is #UD (SDM vol. 2 MOV-Move to/from Control "
      "Registers); capstone decodes them", ex_bad_cr },
    { "np-prefix-ignored",
      "66/F2/F3 on an opcode the SDM marks NP (e.g. F3 0F C4 PINSRW mm) is #UD, as in "
      "QEMU; capstone ignores the prefix", ex_np_prefix },
    { "movsxd-no-rexw",
      "MOVSXD without REX.W has a 32-bit destination (SDM vol. 2 MOVSX/MOVSXD); capstone "
      "shows a 64-bit one", ex_movsxd32 },
    { "far-pointer-size",
      "far pointers (FF /3, FF /5, LSS/LFS/LGS, LES/LDS) are m16:32 in 64-bit mode unless "
      "REX.W, m16:32 with 66 in 16-bit code (SDM vol. 2 CALL, LDS/LES/LFS/LGS/LSS); "
      "capstone 4 reports m16:64 / m16:16", ex_far_m1632 },
    { "state-image-sizes",
      "FNSTSW/FNSTCW/FLDCW take m2byte, FLDENV/FNSTENV m14/28byte, FRSTOR/FNSAVE "
      "m94/108byte, FXSAVE/FXRSTOR m512byte (SDM vol. 2); capstone reports other sizes",
      ex_x87_env_sizes },
    { "prefetch-aliases",
      "0F 0D /0, /2-/7 are PREFETCH aliases (AMD APM vol. 3 PREFETCH; QEMU decodes them "
      "too); capstone 4 rejects /2-/7", ex_prefetch_alias },
    { "reserved-nop",
      "0F 18-0F 1F are reserved-NOP hint space (SDM vol. 2 table A-3, NOP); capstone 4 "
      "rejects some register forms of 0F 1A/1B (MPX)", ex_hint_nop },
    { "cbw-16bit",
      "98/99 in 16-bit code are CBW/CWD; capstone 4 prints CWDE/CDQ", ex_cbw16 },
    { "mmx-punpckl-m32",
      "MMX PUNPCKLBW/WD/DQ read m32 (SDM vol. 2 PUNPCKLBW); capstone reports m64",
      ex_mmx_m32 },
    { "lar-lsl-m16",
      "LAR/LSL read an m16 selector (SDM vol. 2 LAR); capstone reports the operand size",
      ex_lar_lsl_m16 },
    { "66-branch-64",
      "66 on a near branch in 64-bit mode: Intel ignores it (SDM vol. 2 JMP/Jcc/CALL: "
      "operand size forced to 64), capstone follows AMD's 16-bit form", ex_branch66 },
    { "ud0-ud1-modrm",
      "UD0 (0F FF) and UD1 (0F B9) take a ModRM byte on Intel (SDM vol. 2 UD); "
      "capstone 4 decodes them as two-byte instructions", ex_ud01 },
};

/* ---- Comparison ---------------------------------------------------------- */

static const char *strip_prefixes(const char *m)
{
    static const char *const pfx[] = {
        "lock ", "rep ", "repe ", "repne ", "repz ", "repnz ", "xacquire ", "xrelease ",
        "bnd ", "notrack ", "data16 ",
    };
    bool again = true;
    while (again) {
        again = false;
        for (size_t i = 0; i < ARRAY_SIZE(pfx); i++) {
            size_t l = strlen(pfx[i]);
            if (!strncmp(m, pfx[i], l)) {
                m += l;
                again = true;
            }
        }
    }
    return m;
}

/* capstone spelling -> emu spelling */
static const char *const mnem_alias[][2] = {
    { "movabs", "mov" }, { "sal", "shl" }, { "pushal", "pushad" }, { "popal", "popad" },
    { "pushaw", "pusha" }, { "popaw", "popa" }, { "fstpnce", "fstp" },
    { "feni8087_nop", "fneni" }, { "fdisi8087_nop", "fndisi" }, { "fsetpm", "fnsetpm" },
};

static void our_mnemonic(const X86Insn *in, char *buf, size_t size)
{
    char tmp[160];
    const char *p;
    size_t n;

    x86_insn_format(in, tmp, sizeof(tmp));
    p = strip_prefixes(tmp);
    n = strcspn(p, " ");
    snprintf(buf, size, "%.*s", (int)n, p);
}

static uint64_t mask_n(uint64_t v, unsigned bytes)
{
    return bytes == 0 || bytes >= 8 ? v : v & ((UINT64_C(1) << (8 * bytes)) - 1);
}

static const char *seg_name(unsigned s)
{
    static const char *const n[] = { "es", "cs", "ss", "ds", "fs", "gs" };
    return s < 6 ? n[s] : "?";
}

/* One operand in a canonical text form, emu side. */
static void canon_us(const Case *c, const X86Operand *op, char *buf, size_t size)
{
    switch (op->kind) {
    case X86_OPK_GPR:
        snprintf(buf, size, "%s", x86_gpr_name(op->reg, op->size, op->flags & X86_OPF_HIGH8));
        break;
    case X86_OPK_SEG: snprintf(buf, size, "%s", seg_name(op->reg)); break;
    case X86_OPK_CR: snprintf(buf, size, "cr%u", op->reg); break;
    case X86_OPK_DR: snprintf(buf, size, "dr%u", op->reg); break;
    case X86_OPK_MMX: snprintf(buf, size, "mm%u", op->reg); break;
    case X86_OPK_XMM: snprintf(buf, size, "xmm%u", op->reg); break;
    case X86_OPK_ST: snprintf(buf, size, "st(%u)", op->reg); break;
    case X86_OPK_IMM: snprintf(buf, size, "imm"); break;
    case X86_OPK_REL: snprintf(buf, size, "0x%" PRIx64, op->target); break;
    case X86_OPK_MEM: {
        const char *base = "", *index = "";
        const char *seg = "";
        if (op->base == X86_REG_RIP) {
            base = op->addr_size == 8 ? "rip" : "eip";
        } else if (op->base >= 0) {
            base = x86_gpr_name(op->base, op->addr_size, false);
        }
        if (op->index >= 0) {
            index = x86_gpr_name(op->index, op->addr_size, false);
        }
        /* capstone names ES on string destinations outside 64-bit mode. */
        if ((op->flags & X86_OPF_SEGOVR) || (op->seg == X86_SEG_ES && c->bits != 64)) {
            seg = seg_name(op->seg);
        }
        snprintf(buf, size, "[%s:%s+%s*%u+0x%" PRIx64 "]", seg, base, index,
                 op->index >= 0 ? op->scale : 1, mask_n(op->disp, op->addr_size));
        break;
    }
    default:
        snprintf(buf, size, "?");
    }
}

static void canon_cs(const Case *c, const CswOp *op, char *buf, size_t size)
{
    switch (op->type) {
    case CSW_REG:
        snprintf(buf, size, "%s", op->reg);
        break;
    case CSW_IMM:
        snprintf(buf, size, "imm");
        break;
    default: {
        const char *seg = op->seg;
        /* 64-bit mode ignores ES/CS/SS/DS overrides; capstone still shows them. */
        if (c->bits == 64 && strcmp(seg, "fs") && strcmp(seg, "gs")) {
            seg = "";
        }
        snprintf(buf, size, "[%s:%s+%s*%d+0x%" PRIx64 "]", seg, op->base, op->index,
                 op->index[0] ? op->scale : 1,
                 mask_n(op->disp, c->us->addr_size));
        break;
    }
    }
}

static char why_buf[512];

/* capstone's spelling @cs names the same instruction as emu's @ours. */
static bool mnem_eq(const X86Insn *us, const char *ours, const char *cs)
{
    cs = strip_prefixes(cs);
    for (size_t i = 0; i < ARRAY_SIZE(mnem_alias); i++) {
        if (!strcmp(cs, mnem_alias[i][0])) {
            cs = mnem_alias[i][1];
        }
    }
    if (!strcmp(cs, ours)) {
        return true;
    }
    /* capstone 4 keeps the 32-bit spelling for some REX.W forms. */
    return (us->opcode == X86_OP_MOVD && !strcmp(cs, "movd")) ||
           (us->opcode == X86_OP_PEXTRD && !strcmp(cs, "pextrd")) ||
           (us->opcode == X86_OP_PINSRD && !strcmp(cs, "pinsrd"));
}

/*
 * capstone prints CMPPS/CMPPD/CMPSS/CMPSD with predicates 0-7 as pseudo-ops
 * (cmpltps xmm0, xmm1) without the immediate. Returns 1 and rewrites @ours
 * when that is the case.
 */
static int cmp_pseudo_op(const X86Insn *us, const char *cs, char *ours, size_t size)
{
    static const char *const pred[8] = {
        "eq", "lt", "le", "unord", "neq", "nlt", "nle", "ord",
    };
    const X86Operand *imm;

    if (us->opcode != X86_OP_CMPPS && us->opcode != X86_OP_CMPPD &&
        us->opcode != X86_OP_CMPSS && us->opcode != X86_OP_CMPSD) {
        return 0;
    }
    imm = &us->op[us->num_ops - 1];
    if (imm->kind != X86_OPK_IMM || imm->imm > 7 || !strcmp(cs, ours)) {
        return 0;
    }
    snprintf(ours, size, "cmp%s%s", pred[imm->imm], x86_opcode_name(us->opcode) + 3);
    return 1;
}

/* capstone sizes far-pointer operands by their offset part; emu by the whole. */
static bool is_far_ptr(const X86Insn *us)
{
    switch (us->opcode) {
    case X86_OP_LES: case X86_OP_LDS: case X86_OP_LSS: case X86_OP_LFS: case X86_OP_LGS:
    case X86_OP_CALLF: case X86_OP_JMPF:
        return true;
    default:
        return false;
    }
}

static bool compare(Case *c)
{
    const CswInsn *cs = c->cs;
    const X86Insn *us = c->us;
    char m1[32], a[64], b[64];
    const char *m0;
    const CswOp *csops[8];
    const X86Operand *usops[4];
    int ncs = 0, nus = 0;

    if (!cs) {
        if (c->st == X86_DECODE_EXCEPTION && us->exception == X86_EXC_UD) {
            return true;
        }
        /* Longer than 15 bytes: #GP(0) for the CPU, invalid for capstone. */
        if (c->st == X86_DECODE_EXCEPTION && us->exception == X86_EXC_GP &&
            us->len == X86_MAX_INSN_LEN) {
            return true;
        }
        c->what = "capstone rejects, emu decodes";
        return false;
    }
    if (c->st != X86_DECODE_OK) {
        snprintf(why_buf, sizeof(why_buf), "capstone decodes, emu: %s", us->why);
        c->what = why_buf;
        return false;
    }
    if (cs->len != us->len) {
        c->what = "length";
        return false;
    }
    m0 = strip_prefixes(cs->mnemonic);
    for (size_t i = 0; i < ARRAY_SIZE(mnem_alias); i++) {
        if (!strcmp(m0, mnem_alias[i][0])) {
            m0 = mnem_alias[i][1];
        }
    }
    our_mnemonic(us, m1, sizeof(m1));
    int drop_imm = cmp_pseudo_op(us, m0, m1, sizeof(m1));
    if (!drop_imm && mnem_eq(us, m1, m0)) {
        m0 = m1;
    }
    if (strcmp(m0, m1)) {
        c->what = "mnemonic";
        return false;
    }
    /* x87: capstone leaves out an implied ST(0); compare without it. */
    for (int i = 0; i < cs->nops; i++) {
        if (!(us->flags & X86_INSN_X87) || strcmp(cs->ops[i].reg, "st(0)")) {
            csops[ncs++] = &cs->ops[i];
        }
    }
    for (int i = 0; i < us->num_ops - drop_imm; i++) {
        if (!(us->flags & X86_INSN_X87) || us->op[i].kind != X86_OPK_ST || us->op[i].reg) {
            usops[nus++] = &us->op[i];
        }
    }
    /* capstone leaves out BLENDV's implicit XMM0 and AAM/AAD's default base 10. */
    if (nus == ncs + 1 && usops[nus - 1]->kind == X86_OPK_XMM && usops[nus - 1]->reg == 0 &&
        (us->opcode == X86_OP_PBLENDVB || us->opcode == X86_OP_BLENDVPS ||
         us->opcode == X86_OP_BLENDVPD)) {
        nus--;
    }
    if ((us->opcode == X86_OP_AAM || us->opcode == X86_OP_AAD) && ncs == 0 &&
        us->op[0].imm == 10) {
        nus = 0;
    }
    /* Hint NOPs (0F 19-1E): capstone lists ModRM.reg as a second operand for
       register forms only; emu has the single r/m operand NOP Ev. */
    if (us->opcode == X86_OP_NOP && us->map == 1 && ncs == 2 && nus == 1) {
        ncs = 1;
    }
    if (ncs != nus) {
        c->what = "operand count";
        return false;
    }
    /* XCHG is symmetric; capstone puts the accumulator first. */
    if (us->opcode == X86_OP_XCHG && us->map == 0 && (us->opbyte & 0xf8) == 0x90) {
        const X86Operand *t = usops[0];
        usops[0] = usops[1];
        usops[1] = t;
    }
    for (int i = 0; i < ncs; i++) {
        canon_cs(c, csops[i], a, sizeof(a));
        canon_us(c, usops[i], b, sizeof(b));
        if (usops[i]->kind == X86_OPK_REL && csops[i]->type == CSW_IMM) {
            snprintf(a, sizeof(a), "0x%" PRIx64, (uint64_t)csops[i]->imm);
        }
        if (strcmp(a, b)) {
            snprintf(why_buf, sizeof(why_buf), "operand %d: capstone %s, emu %s", i, a, b);
            c->what = why_buf;
            return false;
        }
        if (csops[i]->type == CSW_IMM && usops[i]->kind == X86_OPK_IMM) {
            unsigned w = csops[i]->size ? csops[i]->size : 8;
            if (usops[i]->size < w) {
                w = usops[i]->size;
            }
            if (mask_n(csops[i]->imm, w) != mask_n(usops[i]->imm, w)) {
                snprintf(why_buf, sizeof(why_buf), "immediate %d: capstone 0x%" PRIx64
                         ", emu 0x%" PRIx64, i, (uint64_t)csops[i]->imm, usops[i]->imm);
                c->what = why_buf;
                return false;
            }
        }
        if (csops[i]->type == CSW_MEM && usops[i]->kind == X86_OPK_MEM &&
            csops[i]->size && usops[i]->size && csops[i]->size != usops[i]->size &&
            !(is_far_ptr(us) && csops[i]->size == usops[i]->size - 2)) {
            snprintf(why_buf, sizeof(why_buf), "memory size %d: capstone %d, emu %d", i,
                     csops[i]->size, usops[i]->size);
            c->what = why_buf;
            return false;
        }
    }
    return true;
}

/* ---- Driver -------------------------------------------------------------- */

typedef struct Stats {
    uint64_t cases, cs_ok, compared, outside_isa, both_ud, excused, diffs;
    GHashTable *cats;           /* "first bytes + what" -> count */
} Stats;

static void hexdump(const uint8_t *b, int n, char *out, size_t size)
{
    size_t l = 0;
    out[0] = 0;
    for (int i = 0; i < n && l + 3 < size; i++) {
        l += snprintf(out + l, size - l, "%02x", b[i]);
    }
}

/* Another documented exception explains @c (used on reordered prefixes). */
static bool excused_other(const Case *c)
{
    static int depth;
    bool r = false;

    if (depth) {
        return false;
    }
    depth++;
    for (size_t i = 0; i < ARRAY_SIZE(exceptions) && !r; i++) {
        r = exceptions[i].match != ex_prefix_order && exceptions[i].match(c);
    }
    depth--;
    return r;
}

static void report(Stats *st, Case *c)
{
    char hex[40], ours[160];
    const X86Insn *us = c->us;

    x86_insn_format(us, ours, sizeof(ours));
    hexdump(c->code, c->cs ? c->cs->len : (us->len ? us->len : 15), hex, sizeof(hex));
    if (st->diffs <= 40 || verbose) {
        g_test_message("DIFF %d-bit %s: %s | capstone: %s %s [%d] | emu: %s [%d]",
                       c->bits, hex, c->what, c->cs ? c->cs->mnemonic : "(invalid)",
                       c->cs ? c->cs->op_str : "", c->cs ? c->cs->len : 0,
                       c->st == X86_DECODE_OK ? ours : us->why, us->len);
    }
    if (st->cats) {
        int off = opcode_offset(c);
        char key[96];
        int k = c->code[off] == 0x0f ? (c->code[off + 1] == 0x38 || c->code[off + 1] == 0x3a
                                        ? 3 : 2) : 1;
        hexdump(c->code + off, k, hex, sizeof(hex));
        snprintf(key, sizeof(key), "%d %s %.40s", c->bits, hex, c->what);
        gpointer v = g_hash_table_lookup(st->cats, key);
        g_hash_table_insert(st->cats, g_strdup(key), GSIZE_TO_POINTER(GPOINTER_TO_SIZE(v) + 1));
    }
}

static void run_one(Stats *st, int bits, const uint8_t *code)
{
    CswInsn cs;
    X86Insn us;
    Case c = { .bits = bits, .code = code, .us = &us };
    bool cs_ok = csw_decode(bits, code, 15, 0x1000, &cs);

    st->cases++;
    c.cs = cs_ok ? &cs : NULL;
    c.st = x86_decode_buf(mode_of(bits), X86_FEATURES_ALL, 0x1000, code, 15, &us);
    if (cs_ok) {
        st->cs_ok++;
        if (cs.outside_isa) {
            st->outside_isa++;
            /* Not emu's ISA: it must be #UD (or a form emu knows and capstone groups oddly). */
            if (c.st == X86_DECODE_OK && !compare(&c)) {
                goto check_exc;
            }
            return;
        }
        st->compared++;
    }
    if (compare(&c)) {
        if (!cs_ok) {
            st->both_ud++;
        }
        return;
    }
check_exc:
    for (size_t i = 0; i < ARRAY_SIZE(exceptions); i++) {
        if (exceptions[i].match(&c)) {
            exceptions[i].hits++;
            st->excused++;
            return;
        }
    }
    st->diffs++;
    report(st, &c);
}

static uint8_t rnd8(GRand *r)
{
    return g_rand_int(r) & 0xff;
}

/* prefix* + opcode (one-byte, 0F, 0F38, 0F3A or VEX) + random ModRM/SIB/disp/imm. */
static void gen_structured(GRand *r, int bits, uint8_t *b)
{
    static const uint8_t legacy[] = {
        0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65,
    };
    int n = 0;
    int np = g_rand_int_range(r, 0, 100);

    np = np < 45 ? 0 : np < 75 ? 1 : np < 92 ? 2 : g_rand_int_range(r, 3, 6);
    for (int i = 0; i < np; i++) {
        b[n++] = legacy[g_rand_int_range(r, 0, ARRAY_SIZE(legacy))];
    }
    if (bits == 64 && g_rand_int_range(r, 0, 3) == 0) {
        b[n++] = 0x40 | g_rand_int_range(r, 0, 16);
    }
    switch (g_rand_int_range(r, 0, 10)) {
    case 0: case 1: case 2: case 3:
        b[n++] = rnd8(r);
        break;
    case 4: case 5: case 6:
        b[n++] = 0x0f;
        b[n++] = rnd8(r);
        break;
    case 7:
        b[n++] = 0x0f;
        b[n++] = 0x38;
        b[n++] = rnd8(r);
        break;
    case 8:
        b[n++] = 0x0f;
        b[n++] = 0x3a;
        b[n++] = rnd8(r);
        break;
    default:
        /* VEX with the BMI opcode bytes half of the time. */
        b[n++] = 0xc4;
        b[n++] = (rnd8(r) & 0xe0) | (g_rand_boolean(r) ? 2 : 3);
        b[n++] = rnd8(r) & 0xfb;
        b[n++] = g_rand_boolean(r) ? 0xf0 + g_rand_int_range(r, 0, 8) : rnd8(r);
        break;
    }
    /* x87 and ModRM-heavy cases: bias the next byte to register forms sometimes. */
    while (n < 15) {
        b[n++] = rnd8(r);
    }
}

static uint64_t env_cases(uint64_t def)
{
    const char *s = g_getenv("X86_DIFF_CASES");
    return s ? g_ascii_strtoull(s, NULL, 0) : def;
}

static void run_mode(int bits, uint64_t n, bool structured, Stats *st)
{
    GRand *r = g_rand_new_with_seed(0x5eed0000u + bits * 2 + structured);
    uint8_t code[16];

    for (uint64_t i = 0; i < n; i++) {
        if (structured) {
            gen_structured(r, bits, code);
        } else {
            for (int k = 0; k < 15; k++) {
                code[k] = rnd8(r);
            }
        }
        run_one(st, bits, code);
    }
    g_rand_free(r);
}

static void print_categories(Stats *st)
{
    GHashTableIter it;
    gpointer k, v;
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);

    g_hash_table_iter_init(&it, st->cats);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        g_ptr_array_add(lines, g_strdup_printf("%8zu  %s", GPOINTER_TO_SIZE(v), (char *)k));
    }
    g_ptr_array_sort(lines, (GCompareFunc)g_strcmp0);
    for (guint i = 0; i < lines->len; i++) {
        g_test_message("CAT %s", (char *)lines->pdata[i]);
    }
    g_ptr_array_free(lines, true);
}

static void test_differential(void)
{
    Stats st = { 0 };
    uint64_t n = env_cases(500000);
    gint64 t0;
    double secs;

    if (!csw_open()) {
        g_test_skip("capstone not available at build time (install libcapstone-dev)");
        return;
    }
    st.cats = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    t0 = g_get_monotonic_time();
    run_mode(64, n, false, &st);
    run_mode(64, n, true, &st);
    run_mode(32, n, false, &st);
    run_mode(32, n, true, &st);
    run_mode(16, n / 4, false, &st);
    run_mode(16, n / 4, true, &st);
    secs = (g_get_monotonic_time() - t0) / 1e6;

    g_test_message("%s: %" PRIu64 " cases in %.1f s: capstone decoded %" PRIu64
                   ", compared %" PRIu64 ", outside emu's ISA %" PRIu64
                   ", both invalid %" PRIu64 ", documented capstone bugs %" PRIu64
                   ", differences %" PRIu64,
                   csw_version(), st.cases, secs, st.cs_ok, st.compared, st.outside_isa,
                   st.both_ud, st.excused, st.diffs);
    for (size_t i = 0; i < ARRAY_SIZE(exceptions); i++) {
        g_test_message("  exception %-16s %8" PRIu64 "  (%s)", exceptions[i].name,
                       exceptions[i].hits, exceptions[i].reason);
    }
    if (st.diffs && verbose) {
        print_categories(&st);
    }
    g_hash_table_destroy(st.cats);
    g_assert_cmpuint(st.diffs, ==, 0);
}

/* Every byte offset of a valid instruction can fault, and is reported there. */
typedef struct FaultAt {
    const uint8_t *code;
    unsigned fail_at;
} FaultAt;

static int fetch_fail_at(void *opaque, unsigned offset, uint8_t *buf, unsigned len)
{
    FaultAt *f = opaque;

    if (offset >= f->fail_at) {
        return -14;
    }
    if (len > f->fail_at - offset) {
        len = f->fail_at - offset;
    }
    memcpy(buf, f->code + offset, len);
    return len;
}

static void test_fetch_faults(void)
{
    GRand *r = g_rand_new_with_seed(0xfa017);
    uint8_t code[16];
    uint64_t checked = 0;

    for (int bits = 16; bits <= 64; bits *= 2) {
        for (int i = 0; i < 100000; i++) {
            X86Insn in, in2;
            gen_structured(r, bits, code);
            if (x86_decode_buf(mode_of(bits), X86_FEATURES_ALL, 0, code, 15, &in) !=
                X86_DECODE_OK) {
                continue;
            }
            for (unsigned k = 0; k < in.len; k++) {
                FaultAt f = { code, k };
                X86DecodeEnv env = { fetch_fail_at, &f, mode_of(bits), X86_FEATURES_ALL };
                X86DecodeStatus s = x86_decode(&env, 0, &in2);
                if (s != X86_DECODE_FETCH_FAULT || in2.fault_offset != k ||
                    in2.fault_error != -14) {
                    char hex[40];
                    hexdump(code, in.len, hex, sizeof(hex));
                    g_test_message("%d-bit %s: fault at %u reported as status %d offset %u",
                                   bits, hex, k, s, in2.fault_offset);
                    g_assert_not_reached();
                }
                checked++;
            }
        }
    }
    g_test_message("%" PRIu64 " fetch-fault positions checked", checked);
    g_rand_free(r);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    verbose = g_getenv("X86_DIFF_VERBOSE") != NULL;
    g_test_add_func("/x86-decode-diff/capstone", test_differential);
    g_test_add_func("/x86-decode-diff/fetch-faults", test_fetch_faults);
    ret = g_test_run();
    csw_close();
    return ret;
}
