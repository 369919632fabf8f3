/*
 * The tci interpreter: runs the bytecode of tcg/tci/tci.h. Semantics must match
 * docs/devel/tcg.md exactly (the unit tests compare it with the native backend and a
 * reference interpreter): shift counts masked to width-1, i32 results zero-extended,
 * division by zero and INT_MIN / -1 defined here as 0 / INT_MIN (the IR leaves them
 * undefined; the native backend would trap).
 */
#include "util/osdep.h"
#include "tcg/tcg.h"
#include "tcg/tcg-softmmu.h"
#include "tcg/tcg-internal.h"
#include "tci.h"

static inline uint64_t rd64(const uint32_t *p)
{
    return p[0] | (uint64_t)p[1] << 32;
}

static inline uint32_t bswap16_flags(uint32_t v, int flags, bool is64, uint64_t *out)
{
    uint16_t r = __builtin_bswap16((uint16_t)v);
    if (flags & TCG_BSWAP_OS) {
        *out = is64 ? (uint64_t)(int64_t)(int16_t)r : (uint32_t)(int32_t)(int16_t)r;
    } else {
        *out = r;
    }
    return 0;
}

static void *tlb_hit(void *env, intptr_t fast_ofs, uint64_t addr, MemOpIdx oi,
                     bool store)
{
    MemOp mop = get_memop(oi);
    unsigned s_bits = mop & MO_SIZE;
    unsigned a_bits = (mop & MO_ALIGN) ? s_bits : 0;
    CPUTLBFast *f = (CPUTLBFast *)((char *)env + fast_ofs) + get_mmuidx(oi);
    CPUTLBEntry *e = (CPUTLBEntry *)((uintptr_t)f->table +
                                     ((addr >> (TCG_PAGE_BITS - CPU_TLB_ENTRY_BITS)) &
                                      f->mask));
    uint64_t cmp = (addr + (1u << s_bits) - (1u << a_bits)) &
                   (TCG_PAGE_MASK | ((1u << a_bits) - 1));
    uint64_t tlb = store ? e->addr_write : e->addr_read;
    if (cmp != tlb) {
        return NULL;
    }
    return (void *)(uintptr_t)(addr + e->addend);
}

static uint64_t tci_qemu_ld(void *env, intptr_t fast_ofs, uint64_t addr, MemOpIdx oi,
                            const uint32_t *ra)
{
    MemOp mop = get_memop(oi);
    void *host = tlb_hit(env, fast_ofs, addr, oi, false);
    uint64_t v;
    if (host) {
        switch (mop & MO_SIZE) {
        case MO_8: v = *(uint8_t *)host; break;
        case MO_16: { uint16_t x; memcpy(&x, host, 2);
            v = mop & MO_BSWAP ? __builtin_bswap16(x) : x; break; }
        case MO_32: { uint32_t x; memcpy(&x, host, 4);
            v = mop & MO_BSWAP ? __builtin_bswap32(x) : x; break; }
        default: { uint64_t x; memcpy(&x, host, 8);
            v = mop & MO_BSWAP ? __builtin_bswap64(x) : x; break; }
        }
    } else {
        tcg_tci_retaddr = (uintptr_t)ra;
        v = tcg_ld_helpers[mop & MO_SIZE](env, addr, oi, (uintptr_t)ra);
        tcg_tci_retaddr = 0;
    }
    if (mop & MO_SIGN) {
        switch (mop & MO_SIZE) {
        case MO_8: v = (int64_t)(int8_t)v; break;
        case MO_16: v = (int64_t)(int16_t)v; break;
        case MO_32: v = (int64_t)(int32_t)v; break;
        default: break;
        }
    }
    return v;
}

static void tci_qemu_st(void *env, intptr_t fast_ofs, uint64_t addr, uint64_t v,
                        MemOpIdx oi, const uint32_t *ra)
{
    MemOp mop = get_memop(oi);
    void *host = tlb_hit(env, fast_ofs, addr, oi, true);
    if (!host) {
        tcg_tci_retaddr = (uintptr_t)ra;
        tcg_st_helpers[mop & MO_SIZE](env, addr, v, oi, (uintptr_t)ra);
        tcg_tci_retaddr = 0;
        return;
    }
    switch (mop & MO_SIZE) {
    case MO_8: *(uint8_t *)host = v; break;
    case MO_16: { uint16_t x = mop & MO_BSWAP ? __builtin_bswap16(v) : v;
        memcpy(host, &x, 2); break; }
    case MO_32: { uint32_t x = mop & MO_BSWAP ? __builtin_bswap32(v) : v;
        memcpy(host, &x, 4); break; }
    default: { uint64_t x = mop & MO_BSWAP ? __builtin_bswap64(v) : v;
        memcpy(host, &x, 8); break; }
    }
}

typedef uint64_t (*Fn0)(void);
typedef uint64_t (*Fn1)(uint64_t);
typedef uint64_t (*Fn2)(uint64_t, uint64_t);
typedef uint64_t (*Fn3)(uint64_t, uint64_t, uint64_t);
typedef uint64_t (*Fn4)(uint64_t, uint64_t, uint64_t, uint64_t);
typedef uint64_t (*Fn5)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
typedef uint64_t (*Fn6)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

#define OP32(name) case TCI_OP(INDEX_op_##name, TCG_TYPE_I32)
#define OP64(name) case TCI_OP(INDEX_op_##name, TCG_TYPE_I64)

uintptr_t tci_tb_exec(TCGContext *s, void *env, const void *tc_ptr)
{
    uint64_t regs[TCI_NB_REGS] = { 0 };
    uint64_t frame[TCI_FRAME_SIZE / 8];
    const uint32_t *pc = tc_ptr;
    intptr_t fast_ofs = s->cfg.tlb_fast_offset;

    regs[TCI_REG_ENV] = (uintptr_t)env;
    regs[TCI_REG_FRAME] = (uintptr_t)frame;

    for (;;) {
        uint32_t w = *pc++;
        unsigned r0 = (w >> 8) & 0xff, r1 = (w >> 16) & 0xff, r2 = w >> 24;
        uint64_t a = regs[r1], b = regs[r2];
        uint32_t a32 = (uint32_t)a, b32 = (uint32_t)b;

        switch (w & 0xff) {
        case TCI_NOP:
            break;
        case TCI_MOV:
            regs[r0] = a;
            break;
        case TCI_MOVI32:
            regs[r0] = *pc++;
            break;
        case TCI_MOVIS32:
            regs[r0] = (int64_t)(int32_t)*pc++;
            break;
        case TCI_MOVI64:
            regs[r0] = rd64(pc);
            pc += 2;
            break;
        case TCI_CALL: {
            void (*fn)(void) = (void (*)(void))(uintptr_t)rd64(pc);
            uint64_t r;
            pc += 2;
            tcg_tci_retaddr = (uintptr_t)pc;
            switch (r0) {
            case 0: r = ((Fn0)fn)(); break;
            case 1: r = ((Fn1)fn)(regs[0]); break;
            case 2: r = ((Fn2)fn)(regs[0], regs[1]); break;
            case 3: r = ((Fn3)fn)(regs[0], regs[1], regs[2]); break;
            case 4: r = ((Fn4)fn)(regs[0], regs[1], regs[2], regs[3]); break;
            case 5: r = ((Fn5)fn)(regs[0], regs[1], regs[2], regs[3], regs[4]); break;
            default:
                r = ((Fn6)fn)(regs[0], regs[1], regs[2], regs[3], regs[4], regs[5]);
                break;
            }
            tcg_tci_retaddr = 0;
            if (r1 == 1) {
                regs[0] = (uint32_t)r;
            } else if (r1 == 2) {
                regs[0] = r;
            }
            break;
        }
        case TCI_EXIT:
            return rd64(pc);
        case TCI_GOTO_TB:
            pc = (const uint32_t *)(uintptr_t)__atomic_load_n((const uint64_t *)pc,
                                                             __ATOMIC_ACQUIRE);
            break;
        case TCI_GOTO_PTR:
            if (!regs[r0]) {
                return 0;
            }
            pc = (const uint32_t *)(uintptr_t)regs[r0];
            break;
        case TCI_BR:
            pc = (const uint32_t *)((const char *)pc + (int32_t)*pc);
            break;
        case TCI_MB:
            __atomic_thread_fence(__ATOMIC_SEQ_CST);
            break;

        OP32(brcond):
        OP64(brcond): {
            TCGType t = (w & 0xff) & 1;
            if (tcg_fold_cond((TCGCond)r2, t, regs[r0], regs[r1])) {
                pc = (const uint32_t *)((const char *)pc + (int32_t)*pc);
            } else {
                pc++;
            }
            break;
        }
        OP32(setcond):
        OP64(setcond):
            regs[r0] = tcg_fold_cond((TCGCond)*pc++, (w & 0xff) & 1, a, b);
            break;
        OP32(negsetcond):
            regs[r0] = tcg_fold_cond((TCGCond)*pc++, TCG_TYPE_I32, a, b) ? 0xffffffffu : 0;
            break;
        OP64(negsetcond):
            regs[r0] = tcg_fold_cond((TCGCond)*pc++, TCG_TYPE_I64, a, b) ? ~0ull : 0;
            break;
        OP32(movcond):
        OP64(movcond): {
            uint32_t x = *pc++;
            regs[r0] = tcg_fold_cond((TCGCond)(x >> 16), (w & 0xff) & 1, a, b)
                       ? regs[x & 0xff] : regs[(x >> 8) & 0xff];
            break;
        }

        OP32(ld8u): OP64(ld8u):
            regs[r0] = *(uint8_t *)(uintptr_t)(a + (int32_t)*pc++);
            break;
        OP32(ld8s):
            regs[r0] = (uint32_t)(int32_t)*(int8_t *)(uintptr_t)(a + (int32_t)*pc++);
            break;
        OP64(ld8s):
            regs[r0] = (int64_t)*(int8_t *)(uintptr_t)(a + (int32_t)*pc++);
            break;
        OP32(ld16u): OP64(ld16u): {
            uint16_t x;
            memcpy(&x, (void *)(uintptr_t)(a + (int32_t)*pc++), 2);
            regs[r0] = x;
            break;
        }
        OP32(ld16s): OP64(ld16s): {
            int16_t x;
            memcpy(&x, (void *)(uintptr_t)(a + (int32_t)*pc++), 2);
            regs[r0] = (w & 1) ? (uint64_t)(int64_t)x : (uint32_t)(int32_t)x;
            break;
        }
        OP32(ld): OP64(ld32u): {
            uint32_t x;
            memcpy(&x, (void *)(uintptr_t)(a + (int32_t)*pc++), 4);
            regs[r0] = x;
            break;
        }
        OP64(ld32s): {
            int32_t x;
            memcpy(&x, (void *)(uintptr_t)(a + (int32_t)*pc++), 4);
            regs[r0] = (int64_t)x;
            break;
        }
        OP64(ld): {
            uint64_t x;
            memcpy(&x, (void *)(uintptr_t)(a + (int32_t)*pc++), 8);
            regs[r0] = x;
            break;
        }
        OP32(st8): OP64(st8):
            *(uint8_t *)(uintptr_t)(a + (int32_t)*pc++) = regs[r0];
            break;
        OP32(st16): OP64(st16): {
            uint16_t x = regs[r0];
            memcpy((void *)(uintptr_t)(a + (int32_t)*pc++), &x, 2);
            break;
        }
        OP32(st): OP64(st32): {
            uint32_t x = regs[r0];
            memcpy((void *)(uintptr_t)(a + (int32_t)*pc++), &x, 4);
            break;
        }
        OP64(st): {
            uint64_t x = regs[r0];
            memcpy((void *)(uintptr_t)(a + (int32_t)*pc++), &x, 8);
            break;
        }

        OP32(add): regs[r0] = (uint32_t)(a + b); break;
        OP64(add): regs[r0] = a + b; break;
        OP32(sub): regs[r0] = (uint32_t)(a - b); break;
        OP64(sub): regs[r0] = a - b; break;
        OP32(mul): regs[r0] = (uint32_t)(a32 * b32); break;
        OP64(mul): regs[r0] = a * b; break;
        OP32(div):
            regs[r0] = b32 == 0 ? 0 : ((int32_t)a32 == INT32_MIN && (int32_t)b32 == -1)
                       ? a32 : (uint32_t)((int32_t)a32 / (int32_t)b32);
            break;
        OP64(div):
            regs[r0] = b == 0 ? 0 : ((int64_t)a == INT64_MIN && (int64_t)b == -1)
                       ? a : (uint64_t)((int64_t)a / (int64_t)b);
            break;
        OP32(divu): regs[r0] = b32 ? a32 / b32 : 0; break;
        OP64(divu): regs[r0] = b ? a / b : 0; break;
        OP32(rem):
            regs[r0] = b32 == 0 || (int32_t)b32 == -1 ? 0
                       : (uint32_t)((int32_t)a32 % (int32_t)b32);
            break;
        OP64(rem):
            regs[r0] = b == 0 || (int64_t)b == -1 ? 0 : (uint64_t)((int64_t)a % (int64_t)b);
            break;
        OP32(remu): regs[r0] = b32 ? a32 % b32 : 0; break;
        OP64(remu): regs[r0] = b ? a % b : 0; break;
        OP32(and): OP64(and): regs[r0] = a & b; break;
        OP32(or): OP64(or): regs[r0] = a | b; break;
        OP32(xor): OP64(xor): regs[r0] = a ^ b; break;
        OP32(andc): regs[r0] = a32 & ~b32; break;
        OP64(andc): regs[r0] = a & ~b; break;
        OP32(orc): regs[r0] = (uint32_t)(a32 | ~b32); break;
        OP64(orc): regs[r0] = a | ~b; break;
        OP32(eqv): regs[r0] = (uint32_t)~(a32 ^ b32); break;
        OP64(eqv): regs[r0] = ~(a ^ b); break;
        OP32(nand): regs[r0] = (uint32_t)~(a32 & b32); break;
        OP64(nand): regs[r0] = ~(a & b); break;
        OP32(nor): regs[r0] = (uint32_t)~(a32 | b32); break;
        OP64(nor): regs[r0] = ~(a | b); break;
        OP32(shl): regs[r0] = (uint32_t)(a32 << (b & 31)); break;
        OP64(shl): regs[r0] = a << (b & 63); break;
        OP32(shr): regs[r0] = a32 >> (b & 31); break;
        OP64(shr): regs[r0] = a >> (b & 63); break;
        OP32(sar): regs[r0] = (uint32_t)((int32_t)a32 >> (b & 31)); break;
        OP64(sar): regs[r0] = (uint64_t)((int64_t)a >> (b & 63)); break;
        OP32(rotl): { unsigned c = b & 31;
            regs[r0] = c ? (uint32_t)(a32 << c | a32 >> (32 - c)) : a32; break; }
        OP64(rotl): { unsigned c = b & 63;
            regs[r0] = c ? a << c | a >> (64 - c) : a; break; }
        OP32(rotr): { unsigned c = b & 31;
            regs[r0] = c ? (uint32_t)(a32 >> c | a32 << (32 - c)) : a32; break; }
        OP64(rotr): { unsigned c = b & 63;
            regs[r0] = c ? a >> c | a << (64 - c) : a; break; }
        OP32(neg): regs[r0] = (uint32_t)-a32; break;
        OP64(neg): regs[r0] = -a; break;
        OP32(not): regs[r0] = (uint32_t)~a32; break;
        OP64(not): regs[r0] = ~a; break;
        OP32(clz): regs[r0] = a32 ? (uint64_t)__builtin_clz(a32) : b32; break;
        OP64(clz): regs[r0] = a ? (uint64_t)__builtin_clzll(a) : b; break;
        OP32(ctz): regs[r0] = a32 ? (uint64_t)__builtin_ctz(a32) : b32; break;
        OP64(ctz): regs[r0] = a ? (uint64_t)__builtin_ctzll(a) : b; break;
        OP32(ctpop): regs[r0] = __builtin_popcount(a32); break;
        OP64(ctpop): regs[r0] = __builtin_popcountll(a); break;
        OP32(ext8s): regs[r0] = (uint32_t)(int32_t)(int8_t)a; break;
        OP64(ext8s): regs[r0] = (int64_t)(int8_t)a; break;
        OP32(ext8u): OP64(ext8u): regs[r0] = (uint8_t)a; break;
        OP32(ext16s): regs[r0] = (uint32_t)(int32_t)(int16_t)a; break;
        OP64(ext16s): regs[r0] = (int64_t)(int16_t)a; break;
        OP32(ext16u): OP64(ext16u): regs[r0] = (uint16_t)a; break;
        OP64(ext32s): OP64(ext_i32_i64): regs[r0] = (int64_t)(int32_t)a; break;
        OP64(ext32u): OP64(extu_i32_i64): OP32(extrl_i64_i32): regs[r0] = a32; break;
        OP32(extrh_i64_i32): regs[r0] = a >> 32; break;
        OP32(deposit): OP64(deposit): {
            uint32_t x = *pc++;
            unsigned pos = x & 0xff, len = x >> 8;
            uint64_t m = (len == 64 ? ~0ull : ((1ull << len) - 1)) << pos;
            regs[r0] = (a & ~m) | ((b << pos) & m);
            if (!(w & 1)) {
                regs[r0] = (uint32_t)regs[r0];
            }
            break;
        }
        OP32(extract): OP64(extract): {
            uint32_t x = *pc++;
            unsigned pos = x & 0xff, len = x >> 8;
            regs[r0] = (a >> pos) & (len == 64 ? ~0ull : ((1ull << len) - 1));
            break;
        }
        OP32(sextract): {
            uint32_t x = *pc++;
            unsigned pos = x & 0xff, len = x >> 8;
            regs[r0] = (uint32_t)((int32_t)(a32 << (32 - pos - len)) >> (32 - len));
            break;
        }
        OP64(sextract): {
            uint32_t x = *pc++;
            unsigned pos = x & 0xff, len = x >> 8;
            regs[r0] = (uint64_t)((int64_t)(a << (64 - pos - len)) >> (64 - len));
            break;
        }
        OP32(extract2): {
            unsigned pos = *pc++;
            regs[r0] = (uint32_t)(a32 >> pos | b32 << (32 - pos));
            break;
        }
        OP64(extract2): {
            unsigned pos = *pc++;
            regs[r0] = a >> pos | b << (64 - pos);
            break;
        }
        OP32(bswap16): OP64(bswap16): {
            uint64_t out;
            bswap16_flags(a32, r2, w & 1, &out);
            regs[r0] = out;
            break;
        }
        OP32(bswap32):
            regs[r0] = __builtin_bswap32(a32);
            break;
        OP64(bswap32): {
            uint32_t x = __builtin_bswap32(a32);
            regs[r0] = (r2 & TCG_BSWAP_OS) ? (uint64_t)(int64_t)(int32_t)x : x;
            break;
        }
        OP64(bswap64):
            regs[r0] = __builtin_bswap64(a);
            break;
        OP32(mulu2): {
            uint64_t p = (uint64_t)regs[r2] * (uint32_t)regs[*pc++];
            regs[r0] = (uint32_t)p;
            regs[r1] = p >> 32;
            break;
        }
        OP32(muls2): {
            int64_t p = (int64_t)(int32_t)regs[r2] * (int32_t)regs[*pc++];
            regs[r0] = (uint32_t)p;
            regs[r1] = (uint32_t)((uint64_t)p >> 32);
            break;
        }
        OP64(mulu2): {
            unsigned __int128 p = (unsigned __int128)regs[r2] * regs[*pc++];
            regs[r0] = (uint64_t)p;
            regs[r1] = (uint64_t)(p >> 64);
            break;
        }
        OP64(muls2): {
            __int128 p = (__int128)(int64_t)regs[r2] * (int64_t)regs[*pc++];
            regs[r0] = (uint64_t)p;
            regs[r1] = (uint64_t)((unsigned __int128)p >> 64);
            break;
        }
        OP32(add2): OP32(sub2): OP64(add2): OP64(sub2): {
            uint32_t x = *pc++;
            uint64_t al = regs[r2], ah = regs[x & 0xff];
            uint64_t bl = regs[(x >> 8) & 0xff], bh = regs[x >> 16];
            bool is_sub = ((w & 0xff) >> 1) == INDEX_op_sub2;
            if (w & 1) {
                unsigned __int128 A = (unsigned __int128)ah << 64 | al;
                unsigned __int128 B = (unsigned __int128)bh << 64 | bl;
                unsigned __int128 R = is_sub ? A - B : A + B;
                regs[r0] = (uint64_t)R;
                regs[r1] = (uint64_t)(R >> 64);
            } else {
                uint64_t A = (uint64_t)(uint32_t)ah << 32 | (uint32_t)al;
                uint64_t B = (uint64_t)(uint32_t)bh << 32 | (uint32_t)bl;
                uint64_t R = is_sub ? A - B : A + B;
                regs[r0] = (uint32_t)R;
                regs[r1] = R >> 32;
            }
            break;
        }
        OP32(qemu_ld): OP64(qemu_ld): {
            MemOpIdx oi = *pc++;
            uint64_t v = tci_qemu_ld(env, fast_ofs, a, oi, pc);
            regs[r0] = (w & 1) ? v : (uint32_t)v;
            break;
        }
        OP32(qemu_st): OP64(qemu_st): {
            MemOpIdx oi = *pc++;
            tci_qemu_st(env, fast_ofs, a, regs[r0], oi, pc);
            break;
        }
        default:
            g_error("tci: bad opcode %u at %p", w & 0xff, (void *)(pc - 1));
        }
    }
}
