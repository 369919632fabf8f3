/*
 * x86-64 backend: guest memory accesses (qemu_ld/qemu_st) with the inline TLB lookup
 * of include/tcg/tcg-softmmu.h and out-of-line slow paths calling helper_*_mmu.
 *
 * Fast path (addr in any register but RDI/RSI, which are scratch here; both are
 * call-clobbered and so free at a CALL_CLOBBER op):
 *
 *   mov  %addr, %rdi
 *   shr  $7, %rdi                       (TCG_PAGE_BITS - CPU_TLB_ENTRY_BITS)
 *   and  mask(%rbp), %rdi               fast[mmu_idx].mask
 *   add  table(%rbp), %rdi              fast[mmu_idx].table -> &entry
 *   lea  (S - A)(%addr), %rsi           last byte, kept at the required alignment
 *   and  $(PAGE_MASK | (A - 1)), %rsi
 *   cmp  addr_read/addr_write(%rdi), %rsi
 *   jne  slow
 *   mov  addend(%rdi), %rdi
 *   mov  (%addr,%rdi), %data            (+ byte swap / extension)
 * raddr:
 */
#include "util/osdep.h"
#include "tcg/tcg-softmmu.h"
#include "tcg-target.h"

static void tlb_lookup(TCGContext *s, int addr, MemOpIdx oi, bool is_ld, TCGLdstSlow *l)
{
    MemOp mop = get_memop(oi);
    unsigned s_bits = mop & MO_SIZE;
    unsigned a_bits = (mop & MO_ALIGN) ? s_bits : 0;
    intptr_t fast = s->cfg.tlb_fast_offset + get_mmuidx(oi) * sizeof(CPUTLBFast);
    int64_t s_mask = (1 << s_bits) - 1, a_mask = (1 << a_bits) - 1;

    x86_out_mov(s, TCG_TYPE_I64, TCG_REG_L0, addr);
    x86_out_shifti(s, SHIFT_SHR, P_REXW, TCG_REG_L0, TCG_PAGE_BITS - CPU_TLB_ENTRY_BITS);
    tcg_out_modrm_offset(s, OPC_AND_GvEv | P_REXW, TCG_REG_L0, TCG_AREG0,
                         fast + TCG_TLB_FAST_MASK_OFS);
    tcg_out_modrm_offset(s, OPC_ADD_GvEv | P_REXW, TCG_REG_L0, TCG_AREG0,
                         fast + TCG_TLB_FAST_TABLE_OFS);
    if (s_mask - a_mask) {
        tcg_out_modrm_offset(s, OPC_LEA | P_REXW, TCG_REG_L1, addr, s_mask - a_mask);
    } else {
        x86_out_mov(s, TCG_TYPE_I64, TCG_REG_L1, addr);
    }
    x86_tgen_arithi(s, ARITH_AND, P_REXW, TCG_REG_L1, (int64_t)TCG_PAGE_MASK | a_mask);
    tcg_out_modrm_offset(s, OPC_CMP_GvEv | P_REXW, TCG_REG_L1, TCG_REG_L0,
                         is_ld ? TCG_TLB_READ_OFS : TCG_TLB_WRITE_OFS);
    tcg_out_opc(s, OPC_JCC_long + JCC_JNE, 0, 0, 0);
    l->label_ptr = s->code_ptr;
    tcg_out32(s, 0);
    x86_out_ld(s, TCG_TYPE_I64, TCG_REG_L0, TCG_REG_L0, TCG_TLB_ADDEND_OFS);
}

void x86_out_qemu_ld(TCGContext *s, TCGType type, int data, int addr, MemOpIdx oi)
{
    MemOp mop = get_memop(oi);
    int rexw = rexw_of(type);
    TCGLdstSlow *l = tcg_new_ldst_slow(s);
    l->is_ld = true;
    l->type = type;
    l->oi = oi;
    l->datareg = data;
    l->addrreg = addr;
    tlb_lookup(s, addr, oi, true, l);

    bool bswap = mop & MO_BSWAP;
    switch (mop & (MO_SIZE | MO_SIGN)) {
    case MO_UB:
        tcg_out_modrm_sib_offset(s, OPC_MOVZBL, data, addr, TCG_REG_L0, 0, 0);
        break;
    case MO_SB:
        tcg_out_modrm_sib_offset(s, OPC_MOVSBL | rexw, data, addr, TCG_REG_L0, 0, 0);
        break;
    case MO_UW:
    case MO_SW:
        if (bswap) {
            tcg_out_modrm_sib_offset(s, OPC_MOVZWL, data, addr, TCG_REG_L0, 0, 0);
            tcg_out_modrm(s, OPC_SHIFT_Ib | P_DATA16, SHIFT_ROL, data);
            tcg_out8(s, 8);
            if (mop & MO_SIGN) {
                tcg_out_modrm(s, OPC_MOVSWL | rexw, data, data);
            } else {
                tcg_out_modrm(s, OPC_MOVZWL, data, data);
            }
        } else {
            tcg_out_modrm_sib_offset(s, (mop & MO_SIGN) ? OPC_MOVSWL | rexw : OPC_MOVZWL,
                                     data, addr, TCG_REG_L0, 0, 0);
        }
        break;
    case MO_UL:
        tcg_out_modrm_sib_offset(s, OPC_MOVL_GvEv, data, addr, TCG_REG_L0, 0, 0);
        if (bswap) {
            tcg_out_opc(s, OPC_BSWAP + (data & 7), 0, data, 0);
        }
        break;
    case MO_SL:
        if (bswap) {
            tcg_out_modrm_sib_offset(s, OPC_MOVL_GvEv, data, addr, TCG_REG_L0, 0, 0);
            tcg_out_opc(s, OPC_BSWAP + (data & 7), 0, data, 0);
            tcg_out_modrm(s, OPC_MOVSLQ, data, data);
        } else {
            tcg_out_modrm_sib_offset(s, OPC_MOVSLQ, data, addr, TCG_REG_L0, 0, 0);
        }
        break;
    default:
        tcg_out_modrm_sib_offset(s, OPC_MOVL_GvEv | P_REXW, data, addr, TCG_REG_L0, 0, 0);
        if (bswap) {
            tcg_out_opc(s, (OPC_BSWAP + (data & 7)) | P_REXW, 0, data, 0);
        }
        break;
    }
    l->raddr = s->code_ptr;
}

void x86_out_qemu_st(TCGContext *s, TCGType type, int data, int addr, MemOpIdx oi)
{
    MemOp mop = get_memop(oi);
    TCGLdstSlow *l = tcg_new_ldst_slow(s);
    l->is_ld = false;
    l->type = type;
    l->oi = oi;
    l->datareg = data;
    l->addrreg = addr;
    tlb_lookup(s, addr, oi, false, l);

    int src = data;
    if ((mop & MO_BSWAP) && (mop & MO_SIZE) != MO_8) {
        /* RSI is free once the comparison is done. */
        src = TCG_REG_L1;
        x86_out_mov(s, TCG_TYPE_I64, src, data);
        switch (mop & MO_SIZE) {
        case MO_16:
            tcg_out_modrm(s, OPC_SHIFT_Ib | P_DATA16, SHIFT_ROL, src);
            tcg_out8(s, 8);
            break;
        case MO_32:
            tcg_out_opc(s, OPC_BSWAP + (src & 7), 0, src, 0);
            break;
        default:
            tcg_out_opc(s, (OPC_BSWAP + (src & 7)) | P_REXW, 0, src, 0);
            break;
        }
    }
    switch (mop & MO_SIZE) {
    case MO_8:
        tcg_out_modrm_sib_offset(s, OPC_MOVB_EvGv, src, addr, TCG_REG_L0, 0, 0);
        break;
    case MO_16:
        tcg_out_modrm_sib_offset(s, OPC_MOVL_EvGv | P_DATA16, src, addr, TCG_REG_L0, 0, 0);
        break;
    case MO_32:
        tcg_out_modrm_sib_offset(s, OPC_MOVL_EvGv, src, addr, TCG_REG_L0, 0, 0);
        break;
    default:
        tcg_out_modrm_sib_offset(s, OPC_MOVL_EvGv | P_REXW, src, addr, TCG_REG_L0, 0, 0);
        break;
    }
    l->raddr = s->code_ptr;
}

/* Out-of-line code for every access of the TB: call the helper, return to raddr. */
bool x86_out_slow_paths(TCGContext *s)
{
    for (TCGLdstSlow *l = s->ldst_slow; l; l = l->next) {
        if (s->code_ptr > s->code_limit) {
            return false;
        }
        MemOp mop = get_memop(l->oi);
        uintptr_t raddr_rx = tcg_rw_to_rx(s, l->raddr);

        tcg_patch32(l->label_ptr, s->code_ptr - (l->label_ptr + 4));
        x86_out_mov(s, TCG_TYPE_I64, TCG_REG_RSI, l->addrreg);
        if (l->is_ld) {
            x86_out_movi(s, TCG_TYPE_I32, TCG_REG_RDX, l->oi);
            tcg_out_modrm_pcrel(s, OPC_LEA | P_REXW, TCG_REG_RCX, raddr_rx, 0);
        } else {
            x86_out_mov(s, TCG_TYPE_I64, TCG_REG_RDX, l->datareg);
            x86_out_movi(s, TCG_TYPE_I32, TCG_REG_RCX, l->oi);
            tcg_out_modrm_pcrel(s, OPC_LEA | P_REXW, TCG_REG_R8, raddr_rx, 0);
        }
        x86_out_mov(s, TCG_TYPE_I64, TCG_REG_RDI, TCG_AREG0);
        x86_out_call_addr(s, l->is_ld ? (uintptr_t)tcg_ld_helpers[mop & MO_SIZE]
                                      : (uintptr_t)tcg_st_helpers[mop & MO_SIZE]);
        if (l->is_ld) {
            int rexw = rexw_of(l->type);
            switch (mop & (MO_SIZE | MO_SIGN)) {
            case MO_SB:
                tcg_out_modrm(s, OPC_MOVSBL | P_REXB_RM | rexw, l->datareg, TCG_REG_RAX);
                break;
            case MO_SW:
                tcg_out_modrm(s, OPC_MOVSWL | rexw, l->datareg, TCG_REG_RAX);
                break;
            case MO_SL:
                tcg_out_modrm(s, OPC_MOVSLQ, l->datareg, TCG_REG_RAX);
                break;
            default:
                x86_out_mov(s, l->type, l->datareg, TCG_REG_RAX);
                break;
            }
        }
        x86_out_jmp_addr(s, -1, raddr_rx);
    }
    return s->code_ptr <= s->code_limit;
}
