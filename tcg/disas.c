/*
 * Disassembly for -d in_asm (guest x86 code, used by the front end) and -d out_asm
 * (host code), through capstone when emu was built with it.
 */
#include "util/osdep.h"
#include "tcg/tcg.h"

#if CONFIG_CAPSTONE
#include <capstone/capstone.h>
#endif

static void disas_raw(FILE *f, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i += 16) {
        fprintf(f, "  0x%016" PRIxPTR ": ", (uintptr_t)(p + i));
        for (size_t j = i; j < len && j < i + 16; j++) {
            fprintf(f, " %02x", p[j]);
        }
        fputc('\n', f);
    }
}

void tcg_disas(FILE *f, const void *code, size_t len, bool host_x86_64)
{
#if CONFIG_CAPSTONE
    csh h;
    cs_insn *insn;
    if (cs_open(CS_ARCH_X86, host_x86_64 ? CS_MODE_64 : CS_MODE_32, &h) != CS_ERR_OK) {
        disas_raw(f, code, len);
        return;
    }
    cs_option(h, CS_OPT_SKIPDATA, CS_OPT_ON);
    size_t n = cs_disasm(h, code, len, (uintptr_t)code, 0, &insn);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "  0x%016" PRIx64 ":  %-8s %s\n", insn[i].address, insn[i].mnemonic,
                insn[i].op_str);
    }
    if (n) {
        cs_free(insn, n);
    }
    cs_close(&h);
#else
    disas_raw(f, code, len);
#endif
}
