/*
 * x86 translator: integer extensions: CMPXCHG8B/16B, MOVBE, CRC32, BMI1/BMI2, ADX, RDRAND/RDSEED (SDM vol. 2).
 */
#include "util/osdep.h"
#include "target/i386/tcg/translate.h"
#include "target/i386/tcg/helper.h"

bool disas_ext(DisasContext *s, const X86Insn *insn)
{
    (void)s;
    (void)insn;
    return false;
}
