/*
 * x86 translator: x87 FPU, FXSAVE/FXRSTOR and the XSAVE family (SDM vol. 1 ch. 8, 10.5, 13).
 */
#include "util/osdep.h"
#include "target/i386/tcg/translate.h"
#include "target/i386/tcg/helper.h"

bool disas_x87(DisasContext *s, const X86Insn *insn)
{
    (void)s;
    (void)insn;
    return false;
}
