/*
 * The integer extensions and legacy integer instructions of translate-ext.c
 * (SDM vol. 2 pages): CMPXCHG8B/16B, MOVBE, CRC32, MOVNTI, BMI1, BMI2, ADX,
 * RDRAND/RDSEED, INT1; and for 16/32-bit code DAA DAS AAA AAS AAM AAD SALC,
 * PUSHA/POPA, ENTER, BOUND, ARPL.
 *
 * Oracles, in order of preference:
 *  - this host's CPU (x86-native.h): 64-bit code natively, 32-bit code
 *    natively in compatibility mode; memory operands live in a region mapped
 *    at the same address natively and in the guest;
 *  - a reference model of each instruction written here from the SDM's
 *    "Operation" pseudo-code, used when the host lacks a feature or cannot
 *    run 32-bit code (the test says so), and for 16-bit stacks (real mode),
 *    which no Linux process can run. Wherever the host runs the code, the
 *    model is checked against it too, so the model is known to be right.
 * emu runs every case on the x86-run.h system (long mode, or compatibility
 * mode for 32-bit code, and real mode) with both TCG backends. Registers,
 * defined flags, the memory windows and the exception (vector, error code,
 * RIP) must agree.
 */
#include "util/osdep.h"
#include "x86-native.h"
#include "x86-run.h"

#define ARITH RFLAGS_ARITH

static TCGBackendKind be_of(gconstpointer p)
{
    return (TCGBackendKind)GPOINTER_TO_INT(p);
}

/* ---- model memory: a window of linear addresses ---- */

typedef struct Mem {
    uint8_t *buf;
    uint64_t base;
    size_t size;
} Mem;

static uint64_t mem_rd(Mem *m, uint64_t lin, unsigned n)
{
    uint64_t v = 0;
    g_assert_true(lin >= m->base && lin + n <= m->base + m->size);
    memcpy(&v, m->buf + (lin - m->base), n);
    return v;
}

static void mem_wr(Mem *m, uint64_t lin, unsigned n, uint64_t v)
{
    g_assert_true(lin >= m->base && lin + n <= m->base + m->size);
    memcpy(m->buf + (lin - m->base), &v, n);
}

/* ---- model helpers (SDM vol. 1 §3.4.3.1 flag definitions) ---- */

static uint64_t mask_of(unsigned bytes)
{
    return bytes == 8 ? ~0ull : (1ull << (8 * bytes)) - 1;
}

static uint64_t zf_sf_pf(uint64_t v, unsigned bytes)
{
    v &= mask_of(bytes);
    return (v == 0 ? RFLAGS_ZF : 0) | (v >> (8 * bytes - 1) ? RFLAGS_SF : 0) |
           (__builtin_popcount((unsigned)(v & 0xff)) % 2 ? 0 : RFLAGS_PF);
}

static void set_arith(X86NativeRegs *r, uint64_t f)
{
    r->flags = (r->flags & ~(uint64_t)ARITH) | f;
}

/* Write a register at an operand size: 32 bits zero-extend, 8/16 merge. */
static void wr_reg(X86NativeRegs *r, int reg, unsigned bytes, uint64_t v)
{
    if (bytes >= 4) {
        r->r[reg] = v & mask_of(bytes);
    } else {
        r->r[reg] = (r->r[reg] & ~mask_of(bytes)) | (v & mask_of(bytes));
    }
}

static uint64_t bswap_n(uint64_t v, unsigned bytes)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < bytes; i++) {
        r = r << 8 | ((v >> (8 * i)) & 0xff);
    }
    return r;
}

static uint64_t bit_reflect(uint64_t v, unsigned bits)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < bits; i++) {
        r |= ((v >> i) & 1) << (bits - 1 - i);
    }
    return r;
}

/*
 * SDM CRC32 "Operation", literally: reflect the source and the CRC, append
 * 32 zero bits to the source, XOR, divide by 11EDC6F41H (GF(2)), reflect.
 */
static uint32_t model_crc32c(uint32_t crc, uint64_t src, unsigned bits)
{
    unsigned __int128 t = ((unsigned __int128)bit_reflect(src, bits) << 32) ^
                          ((unsigned __int128)bit_reflect(crc, 32) << bits);
    const unsigned __int128 poly = 0x11edc6f41ull;
    for (int i = bits + 31; i >= 32; i--) {
        if ((t >> i) & 1) {
            t ^= poly << (i - 32);
        }
    }
    return (uint32_t)bit_reflect((uint64_t)t & 0xffffffffu, 32);
}

/* ---- 64-bit cases ---- */

enum {
    M_NONE, M_ANDN, M_BEXTR, M_BLSI, M_BLSMSK, M_BLSR, M_BZHI, M_MULX, M_PDEP, M_PEXT,
    M_RORX, M_SARX, M_SHLX, M_SHRX, M_ADCX, M_ADOX, M_CRC32, M_MOVBE_LD, M_MOVBE_ST,
    M_CX8, M_CX16, M_MOVNTI, M_INT1, M_RDSEED,
};

#define MEMOP (-1)      /* the operand is memory at [rsi + disp] */

/* One instruction for the model: operands in the SDM's order. */
typedef struct MOp {
    uint8_t kind;
    uint8_t size;       /* operation size in bytes */
    uint8_t ssize;      /* CRC32: source size */
    int8_t d, a, b;     /* registers, or MEMOP */
    int8_t disp;
    uint8_t imm;
} MOp;

typedef struct Model {
    X86NativeRegs *r;
    Mem *mem;
    X86NativeFault *fault;
    uint64_t offset;    /* of the instruction in the code */
    unsigned len;       /* its length */
} Model;

static uint64_t rd_op(Model *m, int o, unsigned bytes, int disp)
{
    if (o == MEMOP) {
        return mem_rd(m->mem, m->r->r[R_ESI] + disp, bytes);
    }
    return m->r->r[o] & mask_of(bytes);
}

static void model_op(Model *m, const MOp *op)
{
    X86NativeRegs *r = m->r;
    unsigned n = op->size, bits = 8 * n;
    uint64_t a, b, res;

    switch (op->kind) {
    case M_NONE:
        break;
    case M_ANDN:
        /* DEST := (NOT SRC1) bitwiseAND SRC2; SF ZF; OF CF cleared; AF PF undefined. */
        res = ~rd_op(m, op->a, n, op->disp) & rd_op(m, op->b, n, op->disp) & mask_of(n);
        wr_reg(r, op->d, n, res);
        set_arith(r, zf_sf_pf(res, n));
        break;
    case M_BEXTR: {
        /* START := SRC2[7:0]; LEN := SRC2[15:8]; DEST := SRC1[START+LEN-1:START]; ZF. */
        a = rd_op(m, op->a, n, op->disp);
        b = rd_op(m, op->b, n, op->disp);
        unsigned start = b & 0xff, len = (b >> 8) & 0xff;
        res = 0;
        for (unsigned i = 0; i < len && start + i < bits; i++) {
            res |= ((a >> (start + i)) & 1) << i;
        }
        wr_reg(r, op->d, n, res);
        set_arith(r, res == 0 ? RFLAGS_ZF : 0);
        break;
    }
    case M_BLSI:
        /* (-SRC) AND SRC; ZF SF; CF = (SRC != 0); OF cleared. */
        a = rd_op(m, op->a, n, op->disp);
        res = -a & a & mask_of(n);
        wr_reg(r, op->d, n, res);
        set_arith(r, (zf_sf_pf(res, n) & ~RFLAGS_PF) | (a ? RFLAGS_CF : 0));
        break;
    case M_BLSMSK:
        /* (SRC - 1) XOR SRC; SF; CF = (SRC == 0); ZF OF cleared. */
        a = rd_op(m, op->a, n, op->disp);
        res = ((a - 1) ^ a) & mask_of(n);
        wr_reg(r, op->d, n, res);
        set_arith(r, (zf_sf_pf(res, n) & RFLAGS_SF) | (a ? 0 : RFLAGS_CF));
        break;
    case M_BLSR:
        /* (SRC - 1) AND SRC; ZF SF; CF = (SRC == 0); OF cleared. */
        a = rd_op(m, op->a, n, op->disp);
        res = (a - 1) & a & mask_of(n);
        wr_reg(r, op->d, n, res);
        set_arith(r, (zf_sf_pf(res, n) & ~RFLAGS_PF) | (a ? 0 : RFLAGS_CF));
        break;
    case M_BZHI: {
        /* N := SRC2[7:0]; DEST := SRC1 with bits N.. cleared; CF = N > size - 1. */
        a = rd_op(m, op->a, n, op->disp);
        unsigned k = rd_op(m, op->b, n, op->disp) & 0xff;
        res = a;
        for (unsigned i = k; i < bits; i++) {
            res &= ~(1ull << i);
        }
        wr_reg(r, op->d, n, res);
        set_arith(r, (zf_sf_pf(res, n) & ~RFLAGS_PF) | (k > bits - 1 ? RFLAGS_CF : 0));
        break;
    }
    case M_MULX: {
        /* DEST2 (vvvv, a) := low half, then DEST1 (d) := high half of rDX * SRC. */
        unsigned __int128 p = (unsigned __int128)(r->r[R_EDX] & mask_of(n)) *
                              rd_op(m, op->b, n, op->disp);
        wr_reg(r, op->a, n, (uint64_t)p);
        wr_reg(r, op->d, n, (uint64_t)(p >> bits));
        break;
    }
    case M_PDEP:
    case M_PEXT: {
        /* SDM PDEP/PEXT loops: walk MASK (SRC2) bit by bit. */
        a = rd_op(m, op->a, n, op->disp);
        b = rd_op(m, op->b, n, op->disp);
        unsigned k = 0;
        res = 0;
        for (unsigned i = 0; i < bits; i++) {
            if ((b >> i) & 1) {
                if (op->kind == M_PDEP) {
                    res |= ((a >> k) & 1) << i;
                } else {
                    res |= ((a >> i) & 1) << k;
                }
                k++;
            }
        }
        wr_reg(r, op->d, n, res);
        break;
    }
    case M_RORX: {
        unsigned c = op->imm & (bits - 1);
        a = rd_op(m, op->a, n, op->disp);
        res = c ? ((a >> c) | (a << (bits - c))) & mask_of(n) : a;
        wr_reg(r, op->d, n, res);
        break;
    }
    case M_SARX:
    case M_SHLX:
    case M_SHRX: {
        a = rd_op(m, op->a, n, op->disp);
        unsigned c = rd_op(m, op->b, n, op->disp) & (bits - 1);
        if (op->kind == M_SHLX) {
            res = a << c;
        } else if (op->kind == M_SHRX) {
            res = a >> c;
        } else {
            int64_t s = (int64_t)(a << (64 - bits)) >> (64 - bits);
            res = (uint64_t)(s >> c);
        }
        wr_reg(r, op->d, n, res & mask_of(n));
        break;
    }
    case M_ADCX:
    case M_ADOX: {
        /* DEST := DEST + SRC + CF (OF); CF (OF) := carry out; nothing else changes. */
        uint64_t fl = op->kind == M_ADCX ? RFLAGS_CF : RFLAGS_OF;
        unsigned __int128 s = (unsigned __int128)(r->r[op->d] & mask_of(n)) +
                              rd_op(m, op->b, n, op->disp) + ((r->flags & fl) ? 1 : 0);
        wr_reg(r, op->d, n, (uint64_t)s);
        r->flags = (r->flags & ~fl) | ((s >> bits) & 1 ? fl : 0);
        break;
    }
    case M_CRC32:
        res = model_crc32c((uint32_t)r->r[op->d], rd_op(m, op->b, op->ssize, op->disp),
                           8 * op->ssize);
        r->r[op->d] = res;           /* 32-bit result, zero-extended in both forms */
        break;
    case M_MOVBE_LD:
        wr_reg(r, op->d, n, bswap_n(rd_op(m, MEMOP, n, op->disp), n));
        break;
    case M_MOVBE_ST:
        mem_wr(m->mem, r->r[R_ESI] + op->disp, n, bswap_n(r->r[op->a], n));
        break;
    case M_MOVNTI:
        mem_wr(m->mem, r->r[R_ESI] + op->disp, n, r->r[op->a]);
        break;
    case M_CX8:
    case M_CX16: {
        /* TEMP := DEST; IF EDX:EAX (RDX:RAX) = TEMP THEN ZF := 1; DEST := ECX:EBX
         * ELSE ZF := 0; EDX:EAX := TEMP; DEST := TEMP. 16B: #GP(0) if misaligned. */
        unsigned h = op->kind == M_CX16 ? 8 : 4;
        uint64_t addr = r->r[R_ESI] + op->disp;
        if (h == 8 && (addr & 15)) {
            *m->fault = (X86NativeFault){ .vector = 13, .offset = m->offset };
            return;
        }
        uint64_t lo = mem_rd(m->mem, addr, h), hi = mem_rd(m->mem, addr + h, h);
        bool eq = lo == (r->r[R_EAX] & mask_of(h)) && hi == (r->r[R_EDX] & mask_of(h));
        if (eq) {
            mem_wr(m->mem, addr, h, r->r[R_EBX]);
            mem_wr(m->mem, addr + h, h, r->r[R_ECX]);
        } else {
            mem_wr(m->mem, addr, h, lo);
            mem_wr(m->mem, addr + h, h, hi);
            wr_reg(r, R_EAX, h, lo);
            wr_reg(r, R_EDX, h, hi);
        }
        r->flags = (r->flags & ~(uint64_t)RFLAGS_ZF) | (eq ? RFLAGS_ZF : 0);
        break;
    }
    case M_INT1:
        /* A trap: the saved RIP is the next instruction's. */
        *m->fault = (X86NativeFault){ .vector = 1, .offset = m->offset + m->len };
        break;
    case M_RDSEED:
        /* CF = 1 with a value (which nothing can predict), other flags 0. */
        set_arith(r, RFLAGS_CF);
        break;
    default:
        g_assert_not_reached();
    }
}

#define NONE X86_FEAT_COUNT     /* no feature needed */

/* Input shaping. */
#define P_MEM   1       /* RSI = DATA + 64, 256 random bytes at DATA */
#define P_CTL   2       /* rCX: BEXTR/BZHI control bytes mostly in 0..79 */
#define P_CX    4       /* memory at [rsi + disp] equals rDX:rAX half the time */
#define P_HALF  8       /* CMPXCHG16B: half size is 8 (else 4) */
/*
 * Checked against the model only: this host (a hypervisor under it, most likely)
 * reports INT1's #DB with the RIP of the INT1 itself, while the SDM (vol. 3
 * Table 17-2, "INT1 instruction: trap") and bare metal give the next RIP.
 */
#define P_MODEL 16

typedef struct Case64 {
    const char *name;
    uint8_t code[24];
    uint8_t len;
    X86Feature feat;
    uint64_t undef;
    unsigned prep;
    uint8_t nops;
    MOp m[3];
} Case64;

#define CODE(...) { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ })
#define OP(k_, s_, d_, a_, b_) { .kind = k_, .size = s_, .d = d_, .a = a_, .b = b_ }
#define OPD(k_, s_, d_, a_, b_, disp_) \
    { .kind = k_, .size = s_, .d = d_, .a = a_, .b = b_, .disp = disp_ }
#define OPI(k_, s_, d_, a_, imm_) { .kind = k_, .size = s_, .d = d_, .a = a_, .imm = imm_ }
#define OPC(s_, ss_, d_, b_, disp_) \
    { .kind = M_CRC32, .size = s_, .ssize = ss_, .d = d_, .b = b_, .disp = disp_ }

#define U_LOGIC (RFLAGS_AF | RFLAGS_PF)
#define U_BEXTR (RFLAGS_AF | RFLAGS_SF | RFLAGS_PF)

static const Case64 cases64[] = {
    /* BMI1 */
    { "andn rax,rbx,rcx", CODE(0xc4, 0xe2, 0xe0, 0xf2, 0xc1), X86_FEAT_BMI1, U_LOGIC, 0, 1,
      { OP(M_ANDN, 8, R_EAX, R_EBX, R_ECX) } },
    { "andn eax,ebx,ecx", CODE(0xc4, 0xe2, 0x60, 0xf2, 0xc1), X86_FEAT_BMI1, U_LOGIC, 0, 1,
      { OP(M_ANDN, 4, R_EAX, R_EBX, R_ECX) } },
    { "andn r8,r9,[rsi]", CODE(0xc4, 0x62, 0xb0, 0xf2, 0x06), X86_FEAT_BMI1, U_LOGIC, P_MEM,
      1, { OP(M_ANDN, 8, 8, 9, MEMOP) } },
    { "bextr rax,rbx,rcx", CODE(0xc4, 0xe2, 0xf0, 0xf7, 0xc3), X86_FEAT_BMI1, U_BEXTR, P_CTL,
      1, { OP(M_BEXTR, 8, R_EAX, R_EBX, R_ECX) } },
    { "bextr eax,ebx,ecx", CODE(0xc4, 0xe2, 0x70, 0xf7, 0xc3), X86_FEAT_BMI1, U_BEXTR, P_CTL,
      1, { OP(M_BEXTR, 4, R_EAX, R_EBX, R_ECX) } },
    { "bextr r10d,[rsi+4],r11d", CODE(0xc4, 0x62, 0x20, 0xf7, 0x56, 0x04), X86_FEAT_BMI1,
      U_BEXTR, P_MEM | P_CTL, 1, { OPD(M_BEXTR, 4, 10, MEMOP, 11, 4) } },
    { "blsi rax,rbx", CODE(0xc4, 0xe2, 0xf8, 0xf3, 0xdb), X86_FEAT_BMI1, U_LOGIC, 0, 1,
      { OP(M_BLSI, 8, R_EAX, R_EBX, 0) } },
    { "blsi eax,ebx", CODE(0xc4, 0xe2, 0x78, 0xf3, 0xdb), X86_FEAT_BMI1, U_LOGIC, 0, 1,
      { OP(M_BLSI, 4, R_EAX, R_EBX, 0) } },
    { "blsi r12,[rsi+8]", CODE(0xc4, 0xe2, 0x98, 0xf3, 0x5e, 0x08), X86_FEAT_BMI1, U_LOGIC,
      P_MEM, 1, { OPD(M_BLSI, 8, 12, MEMOP, 0, 8) } },
    { "blsmsk rax,rbx", CODE(0xc4, 0xe2, 0xf8, 0xf3, 0xd3), X86_FEAT_BMI1, U_LOGIC, 0, 1,
      { OP(M_BLSMSK, 8, R_EAX, R_EBX, 0) } },
    { "blsmsk ecx,edx", CODE(0xc4, 0xe2, 0x70, 0xf3, 0xd2), X86_FEAT_BMI1, U_LOGIC, 0, 1,
      { OP(M_BLSMSK, 4, R_ECX, R_EDX, 0) } },
    { "blsr rax,rbx", CODE(0xc4, 0xe2, 0xf8, 0xf3, 0xcb), X86_FEAT_BMI1, U_LOGIC, 0, 1,
      { OP(M_BLSR, 8, R_EAX, R_EBX, 0) } },
    { "blsr r10d,r11d", CODE(0xc4, 0xc2, 0x28, 0xf3, 0xcb), X86_FEAT_BMI1, U_LOGIC, 0, 1,
      { OP(M_BLSR, 4, 10, 11, 0) } },
    /* BMI2 */
    { "bzhi rax,rbx,rcx", CODE(0xc4, 0xe2, 0xf0, 0xf5, 0xc3), X86_FEAT_BMI2, U_LOGIC, P_CTL,
      1, { OP(M_BZHI, 8, R_EAX, R_EBX, R_ECX) } },
    { "bzhi eax,ebx,ecx", CODE(0xc4, 0xe2, 0x70, 0xf5, 0xc3), X86_FEAT_BMI2, U_LOGIC, P_CTL,
      1, { OP(M_BZHI, 4, R_EAX, R_EBX, R_ECX) } },
    { "mulx rax,rbx,rcx", CODE(0xc4, 0xe2, 0xe3, 0xf6, 0xc1), X86_FEAT_BMI2, 0, 0, 1,
      { OP(M_MULX, 8, R_EAX, R_EBX, R_ECX) } },
    { "mulx eax,ebx,ecx", CODE(0xc4, 0xe2, 0x63, 0xf6, 0xc1), X86_FEAT_BMI2, 0, 0, 1,
      { OP(M_MULX, 4, R_EAX, R_EBX, R_ECX) } },
    { "mulx rax,rax,rcx", CODE(0xc4, 0xe2, 0xfb, 0xf6, 0xc1), X86_FEAT_BMI2, 0, 0, 1,
      { OP(M_MULX, 8, R_EAX, R_EAX, R_ECX) } },
    { "mulx r8,r9,[rsi]", CODE(0xc4, 0x62, 0xb3, 0xf6, 0x06), X86_FEAT_BMI2, 0, P_MEM, 1,
      { OP(M_MULX, 8, 8, 9, MEMOP) } },
    { "pdep rax,rbx,rcx", CODE(0xc4, 0xe2, 0xe3, 0xf5, 0xc1), X86_FEAT_BMI2, 0, 0, 1,
      { OP(M_PDEP, 8, R_EAX, R_EBX, R_ECX) } },
    { "pdep eax,ebx,ecx", CODE(0xc4, 0xe2, 0x63, 0xf5, 0xc1), X86_FEAT_BMI2, 0, 0, 1,
      { OP(M_PDEP, 4, R_EAX, R_EBX, R_ECX) } },
    { "pext rax,rbx,rcx", CODE(0xc4, 0xe2, 0xe2, 0xf5, 0xc1), X86_FEAT_BMI2, 0, 0, 1,
      { OP(M_PEXT, 8, R_EAX, R_EBX, R_ECX) } },
    { "pext eax,ebx,ecx", CODE(0xc4, 0xe2, 0x62, 0xf5, 0xc1), X86_FEAT_BMI2, 0, 0, 1,
      { OP(M_PEXT, 4, R_EAX, R_EBX, R_ECX) } },
    { "rorx rax,rbx,13", CODE(0xc4, 0xe3, 0xfb, 0xf0, 0xc3, 0x0d), X86_FEAT_BMI2, 0, 0, 1,
      { OPI(M_RORX, 8, R_EAX, R_EBX, 13) } },
    { "rorx eax,ebx,31", CODE(0xc4, 0xe3, 0x7b, 0xf0, 0xc3, 0x1f), X86_FEAT_BMI2, 0, 0, 1,
      { OPI(M_RORX, 4, R_EAX, R_EBX, 31) } },
    { "rorx rcx,rdx,0", CODE(0xc4, 0xe3, 0xfb, 0xf0, 0xca, 0x00), X86_FEAT_BMI2, 0, 0, 1,
      { OPI(M_RORX, 8, R_ECX, R_EDX, 0) } },
    { "rorx r8d,r9d,33", CODE(0xc4, 0x43, 0x7b, 0xf0, 0xc1, 0x21), X86_FEAT_BMI2, 0, 0, 1,
      { OPI(M_RORX, 4, 8, 9, 33) } },
    { "sarx rax,rbx,rcx", CODE(0xc4, 0xe2, 0xf2, 0xf7, 0xc3), X86_FEAT_BMI2, 0, 0, 1,
      { OP(M_SARX, 8, R_EAX, R_EBX, R_ECX) } },
    { "sarx eax,ebx,ecx", CODE(0xc4, 0xe2, 0x72, 0xf7, 0xc3), X86_FEAT_BMI2, 0, 0, 1,
      { OP(M_SARX, 4, R_EAX, R_EBX, R_ECX) } },
    { "shlx rax,rbx,rcx", CODE(0xc4, 0xe2, 0xf1, 0xf7, 0xc3), X86_FEAT_BMI2, 0, 0, 1,
      { OP(M_SHLX, 8, R_EAX, R_EBX, R_ECX) } },
    { "shlx eax,ebx,ecx", CODE(0xc4, 0xe2, 0x71, 0xf7, 0xc3), X86_FEAT_BMI2, 0, 0, 1,
      { OP(M_SHLX, 4, R_EAX, R_EBX, R_ECX) } },
    { "shrx rax,rbx,rcx", CODE(0xc4, 0xe2, 0xf3, 0xf7, 0xc3), X86_FEAT_BMI2, 0, 0, 1,
      { OP(M_SHRX, 8, R_EAX, R_EBX, R_ECX) } },
    { "shrx eax,ebx,ecx", CODE(0xc4, 0xe2, 0x73, 0xf7, 0xc3), X86_FEAT_BMI2, 0, 0, 1,
      { OP(M_SHRX, 4, R_EAX, R_EBX, R_ECX) } },
    { "shlx r9,[rsi],r10", CODE(0xc4, 0x62, 0xa9, 0xf7, 0x0e), X86_FEAT_BMI2, 0, P_MEM, 1,
      { OP(M_SHLX, 8, 9, MEMOP, 10) } },
    /* ADX */
    { "adcx rax,rbx", CODE(0x66, 0x48, 0x0f, 0x38, 0xf6, 0xc3), X86_FEAT_ADX, 0, 0, 1,
      { OP(M_ADCX, 8, R_EAX, 0, R_EBX) } },
    { "adcx eax,ebx", CODE(0x66, 0x0f, 0x38, 0xf6, 0xc3), X86_FEAT_ADX, 0, 0, 1,
      { OP(M_ADCX, 4, R_EAX, 0, R_EBX) } },
    { "adox rax,rbx", CODE(0xf3, 0x48, 0x0f, 0x38, 0xf6, 0xc3), X86_FEAT_ADX, 0, 0, 1,
      { OP(M_ADOX, 8, R_EAX, 0, R_EBX) } },
    { "adox eax,ebx", CODE(0xf3, 0x0f, 0x38, 0xf6, 0xc3), X86_FEAT_ADX, 0, 0, 1,
      { OP(M_ADOX, 4, R_EAX, 0, R_EBX) } },
    { "adcx rax,rbx; adox rcx,rdx; adcx r8,r9",
      CODE(0x66, 0x48, 0x0f, 0x38, 0xf6, 0xc3, 0xf3, 0x48, 0x0f, 0x38, 0xf6, 0xca,
           0x66, 0x4d, 0x0f, 0x38, 0xf6, 0xc1), X86_FEAT_ADX, 0, 0, 3,
      { OP(M_ADCX, 8, R_EAX, 0, R_EBX), OP(M_ADOX, 8, R_ECX, 0, R_EDX),
        OP(M_ADCX, 8, 8, 0, 9) } },
    { "adcx rax,[rsi]", CODE(0x66, 0x48, 0x0f, 0x38, 0xf6, 0x06), X86_FEAT_ADX, 0, P_MEM, 1,
      { OP(M_ADCX, 8, R_EAX, 0, MEMOP) } },
    /* CRC32 (SSE4.2) */
    { "crc32 eax,bl", CODE(0xf2, 0x0f, 0x38, 0xf0, 0xc3), X86_FEAT_SSE42, 0, 0, 1,
      { OPC(4, 1, R_EAX, R_EBX, 0) } },
    { "crc32 eax,bx", CODE(0x66, 0xf2, 0x0f, 0x38, 0xf1, 0xc3), X86_FEAT_SSE42, 0, 0, 1,
      { OPC(4, 2, R_EAX, R_EBX, 0) } },
    { "crc32 eax,ebx", CODE(0xf2, 0x0f, 0x38, 0xf1, 0xc3), X86_FEAT_SSE42, 0, 0, 1,
      { OPC(4, 4, R_EAX, R_EBX, 0) } },
    { "crc32 rax,rbx", CODE(0xf2, 0x48, 0x0f, 0x38, 0xf1, 0xc3), X86_FEAT_SSE42, 0, 0, 1,
      { OPC(8, 8, R_EAX, R_EBX, 0) } },
    { "crc32 rax,bl", CODE(0xf2, 0x48, 0x0f, 0x38, 0xf0, 0xc3), X86_FEAT_SSE42, 0, 0, 1,
      { OPC(8, 1, R_EAX, R_EBX, 0) } },
    { "crc32 eax,byte [rsi]", CODE(0xf2, 0x0f, 0x38, 0xf0, 0x06), X86_FEAT_SSE42, 0, P_MEM,
      1, { OPC(4, 1, R_EAX, MEMOP, 0) } },
    { "crc32 rcx,qword [rsi+8]", CODE(0xf2, 0x48, 0x0f, 0x38, 0xf1, 0x4e, 0x08),
      X86_FEAT_SSE42, 0, P_MEM, 1, { OPC(8, 8, R_ECX, MEMOP, 8) } },
    /* MOVBE */
    { "movbe ax,[rsi]", CODE(0x66, 0x0f, 0x38, 0xf0, 0x06), X86_FEAT_MOVBE, 0, P_MEM, 1,
      { OPD(M_MOVBE_LD, 2, R_EAX, 0, 0, 0) } },
    { "movbe eax,[rsi]", CODE(0x0f, 0x38, 0xf0, 0x06), X86_FEAT_MOVBE, 0, P_MEM, 1,
      { OPD(M_MOVBE_LD, 4, R_EAX, 0, 0, 0) } },
    { "movbe rax,[rsi]", CODE(0x48, 0x0f, 0x38, 0xf0, 0x06), X86_FEAT_MOVBE, 0, P_MEM, 1,
      { OPD(M_MOVBE_LD, 8, R_EAX, 0, 0, 0) } },
    { "movbe [rsi],bx", CODE(0x66, 0x0f, 0x38, 0xf1, 0x1e), X86_FEAT_MOVBE, 0, P_MEM, 1,
      { OPD(M_MOVBE_ST, 2, 0, R_EBX, 0, 0) } },
    { "movbe [rsi+8],ecx", CODE(0x0f, 0x38, 0xf1, 0x4e, 0x08), X86_FEAT_MOVBE, 0, P_MEM, 1,
      { OPD(M_MOVBE_ST, 4, 0, R_ECX, 0, 8) } },
    { "movbe [rsi+16],rdx", CODE(0x48, 0x0f, 0x38, 0xf1, 0x56, 0x10), X86_FEAT_MOVBE, 0,
      P_MEM, 1, { OPD(M_MOVBE_ST, 8, 0, R_EDX, 0, 16) } },
    /* CMPXCHG8B / CMPXCHG16B */
    { "cmpxchg8b [rsi]", CODE(0x0f, 0xc7, 0x0e), X86_FEAT_CX8, 0, P_MEM | P_CX, 1,
      { OPD(M_CX8, 8, 0, 0, 0, 0) } },
    { "lock cmpxchg8b [rsi+4]", CODE(0xf0, 0x0f, 0xc7, 0x4e, 0x04), X86_FEAT_CX8, 0,
      P_MEM | P_CX, 1, { OPD(M_CX8, 8, 0, 0, 0, 4) } },
    { "cmpxchg16b [rsi]", CODE(0x48, 0x0f, 0xc7, 0x0e), X86_FEAT_CX16, 0,
      P_MEM | P_CX | P_HALF, 1, { OPD(M_CX16, 16, 0, 0, 0, 0) } },
    { "lock cmpxchg16b [rsi+16]", CODE(0xf0, 0x48, 0x0f, 0xc7, 0x4e, 0x10), X86_FEAT_CX16,
      0, P_MEM | P_CX | P_HALF, 1, { OPD(M_CX16, 16, 0, 0, 0, 16) } },
    { "cmpxchg16b [rsi+8] (misaligned: #GP)", CODE(0x48, 0x0f, 0xc7, 0x4e, 0x08),
      X86_FEAT_CX16, 0, P_MEM | P_CX | P_HALF, 1, { OPD(M_CX16, 16, 0, 0, 0, 8) } },
    /* MOVNTI, INT1 */
    { "movnti [rsi],eax", CODE(0x0f, 0xc3, 0x06), X86_FEAT_SSE2, 0, P_MEM, 1,
      { OPD(M_MOVNTI, 4, 0, R_EAX, 0, 0) } },
    { "movnti [rsi+8],rbx", CODE(0x48, 0x0f, 0xc3, 0x5e, 0x08), X86_FEAT_SSE2, 0, P_MEM, 1,
      { OPD(M_MOVNTI, 8, 0, R_EBX, 0, 8) } },
    { "int1 (#DB trap)", CODE(0x90, 0xf1, 0x90), NONE, 0, P_MODEL, 2,
      { OP(M_NONE, 0, 0, 0, 0), OP(M_INT1, 0, 0, 0, 0) } },
};

/* Byte offset and length of instruction @k of a case (for the model's faults). */
static void insn_bounds(const Case64 *c, int k, uint64_t *off, unsigned *len)
{
    X86Insn insn;
    uint64_t pc = 0;
    for (int i = 0; i <= k; i++) {
        g_assert_cmpint(x86_decode_buf(X86_MODE_LONG64, X86_FEATURES_ALL, pc, c->code + pc,
                                       c->len - pc, &insn), ==, X86_DECODE_OK);
        if (i < k) {
            pc += insn.len;
        }
    }
    *off = pc;
    *len = insn.len;
}

#define WIN 256         /* the data window at X86_NATIVE_DATA */

static void prep64(GRand *r, const Case64 *c, X86NativeRegs *in, uint8_t *mem)
{
    for (int i = 0; i < WIN; i += 8) {
        uint64_t v = x86_native_rnd64(r);
        memcpy(mem + i, &v, 8);
    }
    if (c->prep & P_MEM) {
        in->r[R_ESI] = X86_NATIVE_DATA + 64;
    }
    if ((c->prep & P_CTL) && g_rand_int_range(r, 0, 4)) {
        unsigned start = g_rand_int_range(r, 0, 80), len = g_rand_int_range(r, 0, 80);
        int reg = c->m[0].b;
        in->r[reg] = (in->r[reg] & ~0xffffull) | len << 8 | start;
    }
    if ((c->prep & P_CX) && g_rand_boolean(r)) {
        unsigned h = c->prep & P_HALF ? 8 : 4;
        uint64_t lo = in->r[R_EAX], hi = in->r[R_EDX];
        memcpy(mem + 64 + c->m[0].disp, &lo, h);
        memcpy(mem + 64 + c->m[0].disp + h, &hi, h);
    }
}

static void run_model64(const Case64 *c, X86NativeRegs *regs, uint8_t *mem,
                        X86NativeFault *fault)
{
    Mem m = { mem, X86_NATIVE_DATA, WIN };
    fault->vector = -1;
    fault->error_code = 0;
    fault->offset = 0;
    for (int k = 0; k < c->nops && fault->vector < 0; k++) {
        Model md = { regs, &m, fault, 0, 0 };
        insn_bounds(c, k, &md.offset, &md.len);
        model_op(&md, &c->m[k]);
    }
}

static bool check_mem(const char *what, const uint8_t *want, const uint8_t *got, size_t n,
                      uint64_t base)
{
    for (size_t i = 0; i < n; i++) {
        if (want[i] != got[i]) {
            g_test_message("%s: memory at 0x%" PRIx64 ": want 0x%02x got 0x%02x", what,
                           base + i, want[i], got[i]);
            return false;
        }
    }
    return true;
}

static void test_ext64(gconstpointer p)
{
    TCGBackendKind be = be_of(p);
    GRand *r = g_rand_new_with_seed(64);
    uint8_t *low = x86_native_low();
    unsigned long runs = 0, silicon = 0, model_checked = 0;

    x86_native_emu_begin(be, false);
    if (!low) {
        g_test_message("the low region cannot be mapped here: memory cases use the model");
    }
    for (unsigned i = 0; i < G_N_ELEMENTS(cases64); i++) {
        const Case64 *c = &cases64[i];
        bool native = (c->feat == NONE || x86_native_host_has(c->feat)) &&
                      (!(c->prep & P_MEM) || low) && !(c->prep & P_MODEL);
        bool failed = false;
        if (!native) {
            g_test_message("%s: checked against the SDM model (%s)", c->name,
                           c->prep & P_MODEL ? "see P_MODEL" :
                           low ? "the host lacks the feature" : "no low region");
        }
        for (int it = 0; it < 1000 && !failed; it++) {
            X86NativeRegs in, want, got, model;
            X86NativeFault wf, gf, mf;
            uint8_t mem_in[WIN], mem_want[WIN], mem_got[WIN], mem_model[WIN];
            g_autofree char *what = NULL;

            x86_native_regs_random(r, &in);
            prep64(r, c, &in, mem_in);
            what = g_strdup_printf("%s [%s] iteration %d", c->name,
                                   be == TCG_BACKEND_TCI ? "tci" : "native", it);

            model = in;
            memcpy(mem_model, mem_in, WIN);
            run_model64(c, &model, mem_model, &mf);
            if (native) {
                want = in;
                memcpy(low + (X86_NATIVE_DATA - X86_NATIVE_LOW_BASE), mem_in, WIN);
                x86_native_run(&want, c->code, c->len, &wf);
                memcpy(mem_want, low + (X86_NATIVE_DATA - X86_NATIVE_LOW_BASE), WIN);
                silicon++;
                /* The model must agree with silicon, or it is no oracle elsewhere. */
                g_autofree char *mwhat = g_strdup_printf("model vs silicon: %s", what);
                if (!x86_native_compare_fault(mwhat, &wf, &mf) ||
                    !x86_native_compare(mwhat, &want, &model, 1u << R_ESP, c->undef, false) ||
                    !check_mem(mwhat, mem_want, mem_model, WIN, X86_NATIVE_DATA)) {
                    g_test_fail();
                    failed = true;
                }
                model_checked++;
            } else {
                want = model;
                wf = mf;
                memcpy(mem_want, mem_model, WIN);
            }

            got = in;
            x86run_write(X86_NATIVE_DATA, mem_in, WIN);
            x86_native_emu_run(&got, c->code, c->len, &gf);
            x86run_read(X86_NATIVE_DATA, mem_got, WIN);
            runs++;
            if (!x86_native_compare_fault(what, &wf, &gf) ||
                !x86_native_compare(what, &want, &got, 1u << R_ESP, c->undef, false) ||
                !check_mem(what, mem_want, mem_got, WIN, X86_NATIVE_DATA)) {
                g_test_fail();
                failed = true;
            }
        }
    }
    g_test_message("%lu runs on emu (%s), %lu of them compared with silicon, the model "
                   "checked against silicon %lu times", runs,
                   be == TCG_BACKEND_TCI ? "tci" : "native", silicon, model_checked);
    g_rand_free(r);
}

/*
 * RDRAND/RDSEED: values cannot be compared, the rest can: CF = 1 and the
 * other flags 0 (with a value), 16-bit forms keep bits 63:16, 32-bit forms
 * zero-extend, and two 64-bit draws differ.
 */
static void test_rdrand(gconstpointer p)
{
    static const struct {
        const char *name;
        uint8_t code[4];
        uint8_t len, size;
        X86Feature feat;
    } rd[] = {
        { "rdrand ax", { 0x66, 0x0f, 0xc7, 0xf0 }, 4, 2, X86_FEAT_RDRAND },
        { "rdrand eax", { 0x0f, 0xc7, 0xf0 }, 3, 4, X86_FEAT_RDRAND },
        { "rdrand rax", { 0x48, 0x0f, 0xc7, 0xf0 }, 4, 8, X86_FEAT_RDRAND },
        { "rdseed ax", { 0x66, 0x0f, 0xc7, 0xf8 }, 4, 2, X86_FEAT_RDSEED },
        { "rdseed eax", { 0x0f, 0xc7, 0xf8 }, 3, 4, X86_FEAT_RDSEED },
        { "rdseed rax", { 0x48, 0x0f, 0xc7, 0xf8 }, 4, 8, X86_FEAT_RDSEED },
    };
    GRand *r = g_rand_new_with_seed(7);

    x86_native_emu_begin(be_of(p), false);
    for (unsigned i = 0; i < G_N_ELEMENTS(rd); i++) {
        uint64_t prev = 0;
        bool native = x86_native_host_has(rd[i].feat);
        if (!native) {
            g_test_message("%s: host lacks it, flags checked against the SDM (CF=1, rest 0)",
                           rd[i].name);
        }
        for (int it = 0; it < 50; it++) {
            X86NativeRegs in, want, got;
            X86NativeFault wf, gf;
            x86_native_regs_random(r, &in);
            want = in;
            if (native) {
                x86_native_run(&want, rd[i].code, rd[i].len, &wf);
                g_assert_cmpint(wf.vector, ==, -1);
                /* Silicon may run dry (CF = 0, value 0): draw again once. */
                if (!(want.flags & RFLAGS_CF)) {
                    want = in;
                    x86_native_run(&want, rd[i].code, rd[i].len, &wf);
                }
                if (!(want.flags & RFLAGS_CF)) {
                    /* Some parts list RDSEED in CPUID but always fail it (Linux hides
                     * the flag on them): legal, but no oracle for a success. */
                    g_test_message("%s: this host answers CF = 0 every time; checked "
                                   "against the SDM (CF=1, rest 0) from here on",
                                   rd[i].name);
                    native = false;
                    want = in;
                }
            }
            if (!native) {
                set_arith(&want, RFLAGS_CF);
            }
            got = in;
            x86_native_emu_run(&got, rd[i].code, rd[i].len, &gf);
            g_assert_cmpint(gf.vector, ==, -1);
            g_assert_cmphex(want.flags & ARITH, ==, RFLAGS_CF);
            g_assert_cmphex(got.flags & ARITH, ==, want.flags & ARITH);
            g_assert_true(x86_native_compare(rd[i].name, &want, &got,
                                             1u << R_ESP | 1u << R_EAX, 0, false));
            uint64_t v = got.r[R_EAX];
            if (rd[i].size == 2) {
                g_assert_cmphex(v >> 16, ==, in.r[R_EAX] >> 16);
            } else if (rd[i].size == 4) {
                g_assert_cmphex(v >> 32, ==, 0);
            } else {
                g_assert_cmphex(v, !=, prev);
            }
            prev = v;
        }
    }
    g_rand_free(r);
}

/*
 * ENTER in 64-bit mode, natively: the frame lives on the host stack there and
 * on x86-run's here, so the code reports only address-independent values
 * (RSP - RBP, the copied frame pointers, [RBP - 8 * level] - RBP) and ends
 * with LEAVE. The old frame it copies from is in the low region.
 */
static void test_enter64(gconstpointer p)
{
    /* enter 40,3; mov rax,rsp; sub rax,rbp; mov rcx,[rbp-8]; mov rdx,[rbp-16];
     * mov rdx... ; mov r8,[rbp-24]; sub r8,rbp; leave */
    static const uint8_t code[] = {
        0xc8, 0x28, 0x00, 0x03, 0x48, 0x89, 0xe0, 0x48, 0x29, 0xe8, 0x48, 0x8b, 0x4d, 0xf8,
        0x48, 0x8b, 0x55, 0xf0, 0x4c, 0x8b, 0x45, 0xe8, 0x49, 0x29, 0xe8, 0xc9,
    };
    uint8_t *low = x86_native_low();
    GRand *r = g_rand_new_with_seed(8);

    if (!low) {
        g_test_skip("the low region cannot be mapped here");
        return;
    }
    x86_native_emu_begin(be_of(p), false);
    for (int it = 0; it < 50; it++) {
        X86NativeRegs in, want, got;
        X86NativeFault wf, gf;
        uint8_t mem[WIN];
        for (int i = 0; i < WIN; i++) {
            mem[i] = g_rand_int(r);
        }
        x86_native_regs_random(r, &in);
        in.r[R_EBP] = X86_NATIVE_DATA + 128;
        want = in;
        memcpy(low + (X86_NATIVE_DATA - X86_NATIVE_LOW_BASE), mem, WIN);
        x86_native_run(&want, code, sizeof(code), &wf);
        got = in;
        x86run_write(X86_NATIVE_DATA, mem, WIN);
        x86_native_emu_run(&got, code, sizeof(code), &gf);
        g_assert_true(x86_native_compare_fault("enter64", &wf, &gf));
        g_assert_cmphex(want.r[R_EAX], ==, (uint64_t)-64);
        g_assert_cmphex(want.r[8], ==, 0);
        g_assert_true(x86_native_compare("enter64", &want, &got, 1u << R_ESP, 0, false));
    }
    g_rand_free(r);
}

/* ---- 16/32-bit legacy instructions ---- */

enum {
    L_DAA = 1, L_DAS, L_AAA, L_AAS, L_AAM, L_AAD, L_SALC, L_PUSHA, L_POPA, L_ENTER,
    L_BOUND, L_ARPL_R, L_ARPL_M, L_INT1,
};

/* Input shaping for the legacy cases. */
#define Q_EXH    1      /* iterations 0..1023: AL = i, CF = bit 8, AF = bit 9 */
#define Q_IMM1   2      /* byte 1 of the code (AAM/AAD base) random, 0 included */
#define Q_ENTER  4      /* ENTER's imm16 (small) and imm8 (0..63) random */
#define Q_BOUND  8      /* ESI = DATA + 64; bounds near the index */
#define Q_ARPL   16     /* ESI = DATA + 64 */
#define Q_MODEL  32     /* the model only (see P_MODEL) */

typedef struct Case32 {
    const char *name;
    uint8_t code[8];
    uint8_t len;
    uint8_t kind;
    uint8_t opsize;     /* 2 or 4 */
    uint64_t undef;
    unsigned prep;
} Case32;

#define L(n, k, os, u, pr, ...) { n, { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }), \
                                  k, os, u, pr }

static const Case32 cases32[] = {
    L("daa", L_DAA, 4, RFLAGS_OF, Q_EXH, 0x27),
    L("das", L_DAS, 4, RFLAGS_OF, Q_EXH, 0x2f),
    L("aaa", L_AAA, 4, RFLAGS_OF | RFLAGS_SF | RFLAGS_ZF | RFLAGS_PF, Q_EXH, 0x37),
    L("aas", L_AAS, 4, RFLAGS_OF | RFLAGS_SF | RFLAGS_ZF | RFLAGS_PF, Q_EXH, 0x3f),
    L("aam", L_AAM, 4, RFLAGS_OF | RFLAGS_AF | RFLAGS_CF, 0, 0xd4, 0x0a),
    L("aam imm8 (0: #DE)", L_AAM, 4, RFLAGS_OF | RFLAGS_AF | RFLAGS_CF, Q_IMM1, 0xd4, 0x07),
    L("aad", L_AAD, 4, RFLAGS_OF | RFLAGS_AF | RFLAGS_CF, 0, 0xd5, 0x0a),
    L("aad imm8", L_AAD, 4, RFLAGS_OF | RFLAGS_AF | RFLAGS_CF, Q_IMM1, 0xd5, 0x07),
    L("salc", L_SALC, 4, 0, 0, 0xd6),
    L("pusha", L_PUSHA, 4, 0, 0, 0x60),
    L("popa", L_POPA, 4, 0, 0, 0x61),
    L("pushaw", L_PUSHA, 2, 0, 0, 0x66, 0x60),
    L("popaw", L_POPA, 2, 0, 0, 0x66, 0x61),
    L("enter", L_ENTER, 4, 0, Q_ENTER, 0xc8, 0x10, 0x00, 0x00),
    L("enterw", L_ENTER, 2, 0, Q_ENTER, 0x66, 0xc8, 0x10, 0x00, 0x00),
    L("bound eax,[esi] (#BR)", L_BOUND, 4, 0, Q_BOUND, 0x62, 0x06),
    L("bound ax,[esi] (#BR)", L_BOUND, 2, 0, Q_BOUND, 0x66, 0x62, 0x06),
    L("arpl bx,cx", L_ARPL_R, 2, 0, 0, 0x63, 0xcb),
    L("arpl [esi],cx", L_ARPL_M, 2, 0, Q_ARPL, 0x63, 0x0e),
    L("int1 (#DB trap)", L_INT1, 4, 0, Q_MODEL, 0xf1),
};

/* The state the legacy model works on: registers and the stack/data memory. */
typedef struct Legacy {
    X86NativeRegs *r;
    Mem *mem;
    uint64_t ss_base;
    unsigned stack;     /* stack address size: 2 or 4 */
    X86NativeFault *fault;
} Legacy;

static uint64_t sp_get(Legacy *l, int reg)
{
    return l->r->r[reg] & mask_of(l->stack);
}

static void push(Legacy *l, unsigned bytes, uint64_t v)
{
    uint64_t sp = (sp_get(l, R_ESP) - bytes) & mask_of(l->stack);
    wr_reg(l->r, R_ESP, l->stack, sp);
    mem_wr(l->mem, l->ss_base + sp, bytes, v);
}

static uint64_t pop(Legacy *l, unsigned bytes)
{
    uint64_t sp = sp_get(l, R_ESP);
    uint64_t v = mem_rd(l->mem, l->ss_base + sp, bytes);
    wr_reg(l->r, R_ESP, l->stack, sp + bytes);
    return v;
}

static void model_legacy(Legacy *l, const Case32 *c, const uint8_t *code, unsigned len)
{
    X86NativeRegs *r = l->r;
    unsigned os = c->opsize;
    unsigned al = r->r[R_EAX] & 0xff, ah = (r->r[R_EAX] >> 8) & 0xff;
    bool cf = r->flags & RFLAGS_CF, af = r->flags & RFLAGS_AF;
    uint64_t f;

    l->fault->vector = -1;
    l->fault->error_code = 0;
    l->fault->offset = 0;
    switch (c->kind) {
    case L_DAA: {
        /* SDM DAA "Operation". */
        unsigned old_al = al;
        bool old_cf = cf;
        cf = false;
        if ((al & 0x0f) > 9 || af) {
            cf = old_cf || al + 6 > 0xff;
            al = (al + 6) & 0xff;
            af = true;
        } else {
            af = false;
        }
        if (old_al > 0x99 || old_cf) {
            al = (al + 0x60) & 0xff;
            cf = true;
        } else {
            cf = false;
        }
        wr_reg(r, R_EAX, 1, al);
        set_arith(r, zf_sf_pf(al, 1) | (cf ? RFLAGS_CF : 0) | (af ? RFLAGS_AF : 0));
        break;
    }
    case L_DAS: {
        /* SDM DAS "Operation". */
        unsigned old_al = al;
        bool old_cf = cf;
        cf = false;
        if ((al & 0x0f) > 9 || af) {
            cf = old_cf || al < 6;
            al = (al - 6) & 0xff;
            af = true;
        } else {
            af = false;
        }
        if (old_al > 0x99 || old_cf) {
            al = (al - 0x60) & 0xff;
            cf = true;
        }
        wr_reg(r, R_EAX, 1, al);
        set_arith(r, zf_sf_pf(al, 1) | (cf ? RFLAGS_CF : 0) | (af ? RFLAGS_AF : 0));
        break;
    }
    case L_AAA:
    case L_AAS: {
        /* AAA: AX := AX + 106H; AAS: AX := AX - 6, AH := AH - 1; then AL &= 0FH. */
        unsigned ax = r->r[R_EAX] & 0xffff;
        if ((al & 0x0f) > 9 || af) {
            ax = c->kind == L_AAA ? ax + 0x106 : (((ax - 6) & 0xff) |
                                                  ((((ax - 6) >> 8) - 1) & 0xff) << 8);
            af = cf = true;
        } else {
            af = cf = false;
        }
        ax = (ax & 0xff00) | (ax & 0x0f);
        wr_reg(r, R_EAX, 2, ax);
        set_arith(r, (cf ? RFLAGS_CF : 0) | (af ? RFLAGS_AF : 0));
        break;
    }
    case L_AAM: {
        unsigned imm = code[len - 1];
        if (imm == 0) {
            *l->fault = (X86NativeFault){ .vector = 0, .offset = 0 };   /* #DE, a fault */
            return;
        }
        ah = al / imm;
        al = al % imm;
        wr_reg(r, R_EAX, 2, ah << 8 | al);
        set_arith(r, zf_sf_pf(al, 1));
        break;
    }
    case L_AAD: {
        unsigned imm = code[len - 1];
        al = (al + ah * imm) & 0xff;
        wr_reg(r, R_EAX, 2, al);
        set_arith(r, zf_sf_pf(al, 1));
        break;
    }
    case L_SALC:
        wr_reg(r, R_EAX, 1, cf ? 0xff : 0);
        break;
    case L_PUSHA: {
        uint64_t temp = r->r[R_ESP];
        for (int k = 0; k < 8; k++) {
            push(l, os, k == R_ESP ? temp : r->r[k]);
        }
        break;
    }
    case L_POPA:
        for (int k = 7; k >= 0; k--) {
            if (k == R_ESP) {
                wr_reg(r, R_ESP, l->stack, sp_get(l, R_ESP) + os);   /* skipped */
            } else {
                uint64_t v = pop(l, os);
                wr_reg(r, k, os, v);
            }
        }
        break;
    case L_ENTER: {
        /* SDM ENTER "Operation"; frame pointers are read at the stack size. */
        unsigned alloc = code[len - 3] | code[len - 2] << 8, level = code[len - 1] % 32;
        push(l, os, r->r[R_EBP]);
        uint64_t frame = sp_get(l, R_ESP);
        uint64_t bp = sp_get(l, R_EBP);
        for (unsigned i = 1; i < level; i++) {
            bp = (bp - os) & mask_of(l->stack);
            push(l, os, mem_rd(l->mem, l->ss_base + bp, os));
        }
        if (level > 0) {
            push(l, os, frame);
        }
        wr_reg(r, R_EBP, os, frame);
        wr_reg(r, R_ESP, l->stack, sp_get(l, R_ESP) - alloc);
        break;
    }
    case L_BOUND: {
        /* IF index < LowerBound OR index > UpperBound THEN #BR (signed). */
        uint64_t a = r->r[R_ESI] & 0xffffffffu;
        int64_t lo = (int64_t)(mem_rd(l->mem, a, os) << (64 - 8 * os)) >> (64 - 8 * os);
        int64_t hi = (int64_t)(mem_rd(l->mem, a + os, os) << (64 - 8 * os)) >> (64 - 8 * os);
        int64_t idx = (int64_t)(r->r[R_EAX] << (64 - 8 * os)) >> (64 - 8 * os);
        if (idx < lo || idx > hi) {
            *l->fault = (X86NativeFault){ .vector = 5, .offset = 0 };
        }
        break;
    }
    case L_ARPL_R:
    case L_ARPL_M: {
        /* IF DEST[RPL] < SRC[RPL] THEN ZF := 1; DEST[RPL] := SRC[RPL] ELSE ZF := 0. */
        uint64_t a = r->r[R_ESI] & 0xffffffffu;
        uint64_t d = c->kind == L_ARPL_R ? r->r[R_EBX] & 0xffff : mem_rd(l->mem, a, 2);
        unsigned src = r->r[R_ECX] & 3;
        bool z = (d & 3) < src;
        if (z) {
            d = (d & ~3ull) | src;
            if (c->kind == L_ARPL_R) {
                wr_reg(r, R_EBX, 2, d);
            } else {
                mem_wr(l->mem, a, 2, d);
            }
        }
        f = r->flags & ~(uint64_t)RFLAGS_ZF;
        r->flags = f | (z ? RFLAGS_ZF : 0);
        break;
    }
    case L_INT1:
        *l->fault = (X86NativeFault){ .vector = 1, .offset = len };
        break;
    default:
        g_assert_not_reached();
    }
}

/* Windows compared after each 32-bit run: a stack area and the data area. */
#define STK_LO  (X86_NATIVE_STACK - 0x8800)
#define STK_SZ  0x1000u
#define DAT_SZ  256u

static void prep32(GRand *r, const Case32 *c, int it, X86NativeRegs *in, uint8_t *code,
                   uint8_t *stk, uint8_t *dat)
{
    x86_native_regs_random(r, in);
    for (int k = 0; k < 8; k++) {
        in->r[k] &= 0xffffffffu;
    }
    in->r[R_ESP] = (STK_LO + 0x400 + g_rand_int_range(r, 0, 0x100)) & ~1u;
    if (g_rand_boolean(r)) {
        in->r[R_ESP] &= ~3u;
    }
    in->r[R_EBP] = in->r[R_ESP] + g_rand_int_range(r, 0, 0x200);
    for (unsigned i = 0; i < STK_SZ; i++) {
        stk[i] = g_rand_int(r);
    }
    for (unsigned i = 0; i < DAT_SZ; i++) {
        dat[i] = g_rand_int(r);
    }
    memcpy(code, c->code, c->len);
    if (c->prep & Q_EXH) {
        in->r[R_EAX] = (in->r[R_EAX] & ~0xffull) | (it & 0xff);
        in->flags = (in->flags & ~(uint64_t)(RFLAGS_CF | RFLAGS_AF)) |
                    ((it >> 8) & 1 ? RFLAGS_CF : 0) | ((it >> 9) & 1 ? RFLAGS_AF : 0);
    }
    if (c->prep & Q_IMM1) {
        code[c->len - 1] = g_rand_int_range(r, 0, 8) ? g_rand_int(r) : 0;
    }
    if (c->prep & Q_ENTER) {
        unsigned alloc = g_rand_int_range(r, 0, 3) ? g_rand_int_range(r, 0, 0x40)
                                                   : g_rand_int(r) & 0xffff;
        code[c->len - 3] = alloc;
        code[c->len - 2] = alloc >> 8;
        code[c->len - 1] = g_rand_int_range(r, 0, 64);
    }
    if (c->prep & (Q_BOUND | Q_ARPL)) {
        in->r[R_ESI] = X86_NATIVE_DATA + 64;
    }
    if (c->prep & Q_BOUND) {
        unsigned os = c->opsize;
        int64_t lo = g_rand_int_range(r, -100, 100);
        int64_t hi = lo + g_rand_int_range(r, -5, 60);
        int64_t idx = lo + g_rand_int_range(r, -10, 70);
        if (g_rand_int_range(r, 0, 4) == 0) {
            lo = (int64_t)x86_native_rnd64(r);
            hi = (int64_t)x86_native_rnd64(r);
            idx = (int64_t)x86_native_rnd64(r);
        }
        memcpy(dat + 64, &lo, os);
        memcpy(dat + 64 + os, &hi, os);
        in->r[R_EAX] = (in->r[R_EAX] & ~mask_of(os)) | ((uint64_t)idx & mask_of(os));
    }
}

static void test_legacy32(gconstpointer p)
{
    TCGBackendKind be = be_of(p);
    GRand *r = g_rand_new_with_seed(32);
    uint8_t *low = x86_native_low();
    X86NativeRegs probe = { .flags = RFLAGS_FIXED };
    X86NativeFault pf;
    bool native;
    unsigned long runs = 0, silicon = 0;

    probe.r[R_ESP] = X86_NATIVE_STACK - 64;
    native = x86_native_run32(&probe, (const uint8_t[]){ 0x90 }, 1, &pf);
    if (!native) {
        g_test_message("this host cannot run 32-bit code: checked against the SDM model only");
    }
    x86_native_emu_begin(be, true);
    for (unsigned i = 0; i < G_N_ELEMENTS(cases32); i++) {
        const Case32 *c = &cases32[i];
        int iters = c->prep & Q_EXH ? 1024 : 300;
        bool failed = false;

        for (int it = 0; it < iters && !failed; it++) {
            X86NativeRegs in, want, got;
            X86NativeFault wf, gf;
            uint8_t code[8];
            static uint8_t stk_in[STK_SZ], stk_want[STK_SZ], stk_got[STK_SZ];
            uint8_t dat_in[DAT_SZ], dat_want[DAT_SZ], dat_got[DAT_SZ];
            g_autofree char *what = NULL;

            prep32(r, c, it, &in, code, stk_in, dat_in);
            what = g_strdup_printf("%s [%s] iteration %d (code %02x %02x %02x %02x %02x)",
                                   c->name, be == TCG_BACKEND_TCI ? "tci" : "native", it,
                                   code[0], code[1], code[2], code[3], code[4]);

            /* The model. */
            X86NativeRegs model = in;
            X86NativeFault mf;
            uint8_t *mbuf = g_malloc(X86_NATIVE_LOW_SIZE);
            memcpy(mbuf + (STK_LO - X86_NATIVE_LOW_BASE), stk_in, STK_SZ);
            memcpy(mbuf + (X86_NATIVE_DATA - X86_NATIVE_LOW_BASE), dat_in, DAT_SZ);
            Mem mm = { mbuf, X86_NATIVE_LOW_BASE, X86_NATIVE_LOW_SIZE };
            Legacy lg = { &model, &mm, 0, 4, &mf };
            model_legacy(&lg, c, code, c->len);

            if (native && !(c->prep & Q_MODEL)) {
                want = in;
                memcpy(low + (STK_LO - X86_NATIVE_LOW_BASE), stk_in, STK_SZ);
                memcpy(low + (X86_NATIVE_DATA - X86_NATIVE_LOW_BASE), dat_in, DAT_SZ);
                g_assert_true(x86_native_run32(&want, code, c->len, &wf));
                memcpy(stk_want, low + (STK_LO - X86_NATIVE_LOW_BASE), STK_SZ);
                memcpy(dat_want, low + (X86_NATIVE_DATA - X86_NATIVE_LOW_BASE), DAT_SZ);
                silicon++;
                g_autofree char *mwhat = g_strdup_printf("model vs silicon: %s", what);
                if (!x86_native_compare_fault(mwhat, &wf, &mf) ||
                    !x86_native_compare(mwhat, &want, &model, wf.vector >= 0 ? 1u << R_ESP : 0,
                                        c->undef, false) ||
                    (wf.vector < 0 &&
                     (!check_mem(mwhat, stk_want, mbuf + (STK_LO - X86_NATIVE_LOW_BASE),
                                 STK_SZ, STK_LO) ||
                      !check_mem(mwhat, dat_want,
                                 mbuf + (X86_NATIVE_DATA - X86_NATIVE_LOW_BASE), DAT_SZ,
                                 X86_NATIVE_DATA)))) {
                    g_test_fail();
                    failed = true;
                }
            } else {
                want = model;
                wf = mf;
                memcpy(stk_want, mbuf + (STK_LO - X86_NATIVE_LOW_BASE), STK_SZ);
                memcpy(dat_want, mbuf + (X86_NATIVE_DATA - X86_NATIVE_LOW_BASE), DAT_SZ);
            }
            g_free(mbuf);

            got = in;
            x86run_write(STK_LO, stk_in, STK_SZ);
            x86run_write(X86_NATIVE_DATA, dat_in, DAT_SZ);
            x86_native_emu_run(&got, code, c->len, &gf);
            x86run_read(STK_LO, stk_got, STK_SZ);
            x86run_read(X86_NATIVE_DATA, dat_got, DAT_SZ);
            runs++;
            /* On an exception the frames differ (signal vs IDT delivery): registers only. */
            if (!x86_native_compare_fault(what, &wf, &gf) ||
                !x86_native_compare(what, &want, &got, 0, c->undef, false) ||
                (wf.vector < 0 &&
                 (!check_mem(what, stk_want, stk_got, STK_SZ, STK_LO) ||
                  !check_mem(what, dat_want, dat_got, DAT_SZ, X86_NATIVE_DATA)))) {
                g_test_fail();
                failed = true;
            }
        }
    }
    g_test_message("%lu runs on emu (%s), %lu compared with silicon in compatibility mode",
                   runs, be == TCG_BACKEND_TCI ? "tci" : "native", silicon);
    g_rand_free(r);
}

/*
 * Real mode (16-bit stack, SS base 0x90000): PUSHA/POPA/ENTER/BOUND/DAA with
 * both operand sizes against the model, including SP wrapping at 64 KiB.
 */
static void test_real16(gconstpointer p)
{
    static const Case32 cases16[] = {
        L("pusha (16)", L_PUSHA, 2, 0, 0, 0x60),
        L("popa (16)", L_POPA, 2, 0, 0, 0x61),
        L("pushad (16-bit stack)", L_PUSHA, 4, 0, 0, 0x66, 0x60),
        L("popad (16-bit stack)", L_POPA, 4, 0, 0, 0x66, 0x61),
        L("enter (16)", L_ENTER, 2, 0, Q_ENTER, 0xc8, 0x10, 0x00, 0x00),
        L("enterd (16-bit stack)", L_ENTER, 4, 0, Q_ENTER, 0x66, 0xc8, 0x10, 0x00, 0x00),
        L("daa (16)", L_DAA, 2, RFLAGS_OF, 0, 0x27),
        L("aad (16)", L_AAD, 2, RFLAGS_OF | RFLAGS_AF | RFLAGS_CF, Q_IMM1, 0xd5, 0x07),
    };
    const uint64_t ss_base = 0x90000, code_at = 0x7c00;
    CPUX86State *env;
    GRand *r = g_rand_new_with_seed(16);
    uint8_t *ram_in = g_malloc(0x10000), *ram_out = g_malloc(0x10000);
    uint8_t *ram_model = g_malloc(0x10000);
    unsigned long runs = 0;

    x86run_init(be_of(p));
    x86run_setup(X86RUN_REAL);
    env = x86run_env();
    SegmentCache segs[NB_SEGS];
    memcpy(segs, env->segs, sizeof(segs));
    for (unsigned i = 0; i < G_N_ELEMENTS(cases16); i++) {
        const Case32 *c = &cases16[i];
        for (int it = 0; it < 60; it++) {
            X86NativeRegs in, model, got;
            X86NativeFault mf;
            uint8_t code[9];
            uint8_t stk_dummy[STK_SZ], dat_dummy[DAT_SZ];
            g_autofree char *what = NULL;

            prep32(r, c, it, &in, code, stk_dummy, dat_dummy);
            /*
             * SP anywhere in the segment (near 0 too, so pushes wrap), BP likewise;
             * 4-byte aligned, since an access straddling offset 0xffff is a #SS on
             * hardware (a limit check emu does not make yet).
             */
            in.r[R_ESP] = (in.r[R_ESP] & ~0xffffull) |
                          (g_rand_int_range(r, 0, 4) ? g_rand_int(r) & 0xfffc
                                                     : g_rand_int_range(r, 0, 6) * 4);
            in.r[R_EBP] = (in.r[R_EBP] & ~0xffffull) | (g_rand_int(r) & 0xfffc);
            for (int k = 0; k < 0x10000; k += 4) {
                uint32_t v = g_rand_int(r);
                memcpy(ram_in + k, &v, 4);
            }
            code[c->len] = 0xf4;
            what = g_strdup_printf("%s [%s] iteration %d sp 0x%" PRIx64 " bp 0x%" PRIx64,
                                   c->name, be_of(p) == TCG_BACKEND_TCI ? "tci" : "native",
                                   it, in.r[R_ESP] & 0xffff, in.r[R_EBP] & 0xffff);

            model = in;
            memcpy(ram_model, ram_in, 0x10000);
            Mem mm = { ram_model, ss_base, 0x10000 };
            Legacy lg = { &model, &mm, ss_base, 2, &mf };
            model_legacy(&lg, c, code, c->len);
            g_assert_cmpint(mf.vector, ==, -1);

            x86run_write(ss_base, ram_in, 0x10000);
            x86run_write(code_at, code, c->len + 1);
            memcpy(env->segs, segs, sizeof(segs));
            memcpy(env->regs, in.r, sizeof(env->regs));
            x86_cpu_set_rflags(env, in.flags);
            x86_update_hflags(env);
            X86RunResult res = x86run_exec(code_at, 100);
            got = in;
            memcpy(got.r, env->regs, sizeof(got.r));
            got.flags = x86_cpu_get_rflags(env);
            x86run_read(ss_base, ram_out, 0x10000);
            runs++;
            if (res.stop != X86RUN_HALT || env->rip != code_at + c->len + 1 ||
                !x86_native_compare(what, &model, &got, 0, c->undef, false) ||
                !check_mem(what, ram_model, ram_out, 0x10000, ss_base)) {
                g_autofree char *d = x86run_describe(&res);
                g_test_message("%s: %s", what, d);
                g_test_fail();
                break;
            }
        }
    }
    g_test_message("%lu real-mode runs compared with the SDM model", runs);
    g_free(ram_in);
    g_free(ram_out);
    g_free(ram_model);
    g_rand_free(r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    static const struct {
        const char *name;
        void (*fn)(gconstpointer);
    } tests[] = {
        { "ext64", test_ext64 }, { "rdrand", test_rdrand }, { "enter64", test_enter64 },
        { "legacy32", test_legacy32 }, { "real16", test_real16 },
    };
    TCGBackendKind bes[2];
    int nb = x86run_backends(bes);
    for (int b = 0; b < nb; b++) {
        for (unsigned i = 0; i < G_N_ELEMENTS(tests); i++) {
            g_autofree char *path = g_strdup_printf(
                "/x86-ext/%s/%s", bes[b] == TCG_BACKEND_TCI ? "tci" : "native",
                tests[i].name);
            g_test_add_data_func(path, GINT_TO_POINTER(bes[b]), tests[i].fn);
        }
    }
    return g_test_run();
}
