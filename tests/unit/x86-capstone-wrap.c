/* capstone side of test-x86-decode-diff.c: see x86-capstone-wrap.h. */
#include "config-host.h"
#include "x86-capstone-wrap.h"
#include <stdio.h>
#include <string.h>

#if CONFIG_CAPSTONE
#include <capstone/capstone.h>

static csh handles[3];
static cs_insn *scratch[3];
static bool opened;

static int mode_index(int bits)
{
    return bits == 16 ? 0 : bits == 32 ? 1 : 2;
}

bool csw_open(void)
{
    static const cs_mode modes[3] = { CS_MODE_16, CS_MODE_32, CS_MODE_64 };

    if (opened) {
        return true;
    }
    for (int i = 0; i < 3; i++) {
        if (cs_open(CS_ARCH_X86, modes[i], &handles[i]) != CS_ERR_OK) {
            return false;
        }
        cs_option(handles[i], CS_OPT_DETAIL, CS_OPT_ON);
        scratch[i] = cs_malloc(handles[i]);
    }
    opened = true;
    return true;
}

void csw_close(void)
{
    if (!opened) {
        return;
    }
    for (int i = 0; i < 3; i++) {
        cs_free(scratch[i], 1);
        cs_close(&handles[i]);
    }
    opened = false;
}

const char *csw_version(void)
{
    static char buf[32];
    int major, minor;

    cs_version(&major, &minor);
    snprintf(buf, sizeof(buf), "capstone %d.%d", major, minor);
    return buf;
}

static void copy_name(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

bool csw_decode(int bits, const uint8_t *code, size_t len, uint64_t pc, CswInsn *out)
{
    int mi = mode_index(bits);
    csh h = handles[mi];
    cs_insn *ci = scratch[mi];
    const uint8_t *p = code;
    uint64_t addr = pc;
    cs_x86 *x;

    if (!cs_disasm_iter(h, &p, &len, &addr, ci)) {
        return false;
    }
    memset(out, 0, sizeof(*out));
    out->len = ci->size;
    out->id = ci->id;
    copy_name(out->mnemonic, sizeof(out->mnemonic), ci->mnemonic);
    copy_name(out->op_str, sizeof(out->op_str), ci->op_str);
    x = &ci->detail->x86;
    out->nops = x->op_count;
    for (int i = 0; i < x->op_count && i < 8; i++) {
        cs_x86_op *o = &x->operands[i];
        CswOp *d = &out->ops[i];
        d->size = o->size;
        switch (o->type) {
        case X86_OP_REG:
            d->type = CSW_REG;
            copy_name(d->reg, sizeof(d->reg), cs_reg_name(h, o->reg));
            break;
        case X86_OP_IMM:
            d->type = CSW_IMM;
            d->imm = o->imm;
            break;
        default:
            d->type = CSW_MEM;
            copy_name(d->seg, sizeof(d->seg), cs_reg_name(h, o->mem.segment));
            copy_name(d->base, sizeof(d->base), cs_reg_name(h, o->mem.base));
            copy_name(d->index, sizeof(d->index), cs_reg_name(h, o->mem.index));
            d->scale = o->mem.scale;
            d->disp = o->mem.disp;
            break;
        }
    }
    for (int i = 0; i < ci->detail->groups_count; i++) {
        uint8_t g = ci->detail->groups[i];
        const char *gn = cs_group_name(h, g);
        size_t l = strlen(out->group_names);
        snprintf(out->group_names + l, sizeof(out->group_names) - l, "%s%s",
                 l ? "," : "", gn ? gn : "?");
        switch (g) {
        case X86_GRP_VM: case X86_GRP_3DNOW: case X86_GRP_AVX: case X86_GRP_AVX2:
        case X86_GRP_AVX512: case X86_GRP_FMA: case X86_GRP_FMA4: case X86_GRP_F16C:
        case X86_GRP_SSE4A: case X86_GRP_XOP: case X86_GRP_TBM: case X86_GRP_SHA:
        case X86_GRP_CDI: case X86_GRP_ERI: case X86_GRP_PFI: case X86_GRP_VLX:
        case X86_GRP_DQI: case X86_GRP_BWI: case X86_GRP_SGX: case X86_GRP_RTM:
            out->outside_isa = true;
            break;
        default:
            break;
        }
    }
    /* AVX forms capstone 4 files under no AVX group. */
    if (ci->mnemonic[0] == 'v' && strcmp(ci->mnemonic, "verr") && strcmp(ci->mnemonic, "verw")) {
        out->outside_isa = true;
    }
    switch (ci->id) {
    /* Not in emu's ISA though capstone files them under no such group. */
    case X86_INS_GETSEC:
    case X86_INS_XBEGIN: case X86_INS_XEND: case X86_INS_XABORT: case X86_INS_XTEST:
    case X86_INS_FEMMS: case X86_INS_ENCLS: case X86_INS_ENCLU:
    case X86_INS_VMCALL: case X86_INS_VMLAUNCH: case X86_INS_VMRESUME: case X86_INS_VMXOFF:
    case X86_INS_VMFUNC: case X86_INS_VMREAD: case X86_INS_VMWRITE: case X86_INS_VMPTRLD:
    case X86_INS_VMPTRST: case X86_INS_VMCLEAR: case X86_INS_VMXON: case X86_INS_INVEPT:
    case X86_INS_INVVPID: case X86_INS_VMRUN: case X86_INS_VMMCALL: case X86_INS_VMLOAD:
    case X86_INS_VMSAVE: case X86_INS_STGI: case X86_INS_CLGI: case X86_INS_SKINIT:
    case X86_INS_INVLPGA: case X86_INS_EXTRQ: case X86_INS_INSERTQ: case X86_INS_MOVNTSS:
    case X86_INS_MOVNTSD: case X86_INS_PCOMMIT: case X86_INS_MONTMUL: case X86_INS_XCRYPTCBC:
    case X86_INS_XCRYPTCFB: case X86_INS_XCRYPTCTR: case X86_INS_XCRYPTECB:
    case X86_INS_XCRYPTOFB: case X86_INS_XSHA1: case X86_INS_XSHA256: case X86_INS_XSTORE:
        out->outside_isa = true;
        break;
    default:
        break;
    }
    return true;
}

#else

bool csw_open(void)
{
    return false;
}

void csw_close(void)
{
}

bool csw_decode(int bits, const uint8_t *code, size_t len, uint64_t pc, CswInsn *out)
{
    return false;
}

const char *csw_version(void)
{
    return "capstone missing";
}

#endif
