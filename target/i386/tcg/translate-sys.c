/*
 * x86 translator: control/debug registers, MSRs, TLB control, CLI/STI, port I/O, cache control, FS/GS base, XGETBV/XSETBV, MONITOR/MWAIT, RDTSCP/RDPID (SDM vol. 2, vol. 3 ch. 2, 4, 16).
 */
#include "util/osdep.h"
#include "target/i386/tcg/translate.h"
#include "target/i386/tcg/helper.h"

bool disas_sys(DisasContext *s, const X86Insn *insn)
{
    (void)s;
    (void)insn;
    return false;
}
