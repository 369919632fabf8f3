/*
 * x86 translator: MMX, SSE to SSE4.2, PCLMULQDQ, AES-NI, MXCSR (SDM vol. 1 ch. 9-12).
 */
#include "util/osdep.h"
#include "target/i386/tcg/translate.h"
#include "target/i386/tcg/helper.h"

bool disas_sse(DisasContext *s, const X86Insn *insn)
{
    (void)s;
    (void)insn;
    return false;
}
