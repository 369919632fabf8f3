/*
 * Port I/O for TCG: IN/OUT/INS/OUTS reach address_space_io under the big
 * lock, after the I/O permission bitmap check that protected mode with
 * CPL > IOPL, and virtual-8086 mode always, need (SDM vol. 1 §19.5.2 "I/O
 * Permission Bit Map", vol. 3 §7.7 for the 64-bit TSS).
 */
#include "util/osdep.h"
#include "system/memory.h"
#include "target/i386/tcg/sys-internal.h"
#include "target/i386/tcg/helper.h"

/*
 * The bitmap starts at the 16-bit offset at TSS+0x66; the bits for ports
 * port..port+size-1 must all be clear and lie within the TSS limit (two bytes
 * are read, as the CPU does). A TR that is not a present 32/64-bit TSS, or a
 * TSS shorter than 0x68 bytes, has no bitmap: #GP(0).
 */
void helper_check_io(CPUX86State *env, uint32_t port, uint32_t size)
{
    uintptr_t ra = GETPC();
    CPUState *cs = CPU(x86_env_get_cpu(env));
    unsigned type = (env->tr.flags & DESC_TYPE_MASK) >> DESC_TYPE_SHIFT;

    if (!(env->tr.flags & DESC_P_MASK) || (type != 9 && type != 11) ||
        env->tr.limit < 0x67) {
        x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
    }
    uint32_t off = cpu_lduw_mmuidx_ra(cs, env->tr.base + 0x66, X86_MMU_KERNEL, ra);
    off += port >> 3;
    if (off + 1 > env->tr.limit) {
        x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
    }
    uint64_t a = env->tr.base + off;
    if (!(env->hflags & HF_LMA_MASK)) {
        a = (uint32_t)a;
    }
    uint32_t bits = cpu_lduw_mmuidx_ra(cs, a, X86_MMU_KERNEL, ra);
    if ((bits >> (port & 7)) & ((1u << size) - 1)) {
        x86_raise_exception_err(env, EXCP0D_GPF, 0, ra);
    }
}

uint64_t helper_in(CPUX86State *env, uint32_t port, uint32_t size)
{
    MemTxResult res;
    uint64_t v;
    bool t = x86_bql_enter();

    switch (size) {
    case 1:
        v = address_space_ldub(&address_space_io, port, &res);
        break;
    case 2:
        v = address_space_lduw_le(&address_space_io, port, &res);
        break;
    default:
        v = address_space_ldl_le(&address_space_io, port, &res);
        break;
    }
    x86_bql_leave(t);
    (void)env;
    return v;
}

void helper_out(CPUX86State *env, uint32_t port, uint64_t val, uint32_t size)
{
    MemTxResult res;
    bool t = x86_bql_enter();

    switch (size) {
    case 1:
        address_space_stb(&address_space_io, port, val, &res);
        break;
    case 2:
        address_space_stw_le(&address_space_io, port, val, &res);
        break;
    default:
        address_space_stl_le(&address_space_io, port, val, &res);
        break;
    }
    x86_bql_leave(t);
    (void)env;
}
