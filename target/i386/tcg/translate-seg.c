/*
 * x86 translator: segment registers and descriptors, far transfers, IRET, protected-mode interrupt delivery, SYSCALL/SYSRET, SYSENTER/SYSEXIT, SWAPGS, descriptor-table instructions (SDM vol. 3 ch. 3, 5, 6).
 */
#include "util/osdep.h"
#include "target/i386/tcg/translate.h"
#include "target/i386/tcg/helper.h"

bool disas_seg(DisasContext *s, const X86Insn *insn)
{
    (void)s;
    (void)insn;
    return false;
}
