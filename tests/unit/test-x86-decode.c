/*
 * x86 decoder: a table of hand-written encodings with the expected length
 * and Intel-syntax text (which pins mnemonic, operand registers, memory
 * components, immediates and branch targets), across 64-bit, compatibility,
 * protected, real, virtual-8086 and "big real" modes; then field-level
 * checks (8-bit register encoding, segments, access flags, sizes),
 * translator flags (END_TB, PRIV, LOCK...), CPUID feature gating, fetch
 * faults at every byte offset, and decoding speed.
 */
#include "util/osdep.h"
#include "target/i386/decode.h"

#define M64   X86_MODE_LONG64
#define P32   X86_MODE_PROT32
#define P16   X86_MODE_PROT16
#define REAL  X86_MODE_REAL
#define VM86  X86_MODE_VM86
#define CMP32 X86_MODE_COMPAT32
#define CMP16 X86_MODE_COMPAT16
#define BIG   X86_MF_CS32

#define PC 0x1000

typedef struct Enc {
    uint32_t mode;
    const char *hex;
    int len;                 /* -1: not checked */
    const char *text;        /* "#UD", "#GP" or the printed instruction */
} Enc;

static const Enc table[] = {
    /* mode hex len text (64 32 16=PROT16 R=REAL V=VM86 C=COMPAT32 c=COMPAT16 B=big-real) */
    /* --- 64-bit: REX, ModRM, SIB, displacement, RIP-relative */
    { M64, "01c8", 2, "add eax, ecx" },
    { M64, "4801c8", 3, "add rax, rcx" },
    { M64, "4c01c8", 3, "add rax, r9" },
    { M64, "4901c8", 3, "add r8, rcx" },
    { M64, "4d01c8", 3, "add r8, r9" },
    { M64, "6601c8", 3, "add ax, cx" },
    { M64, "664801c8", 4, "add rax, rcx" },
    { M64, "486601c8", 4, "add ax, cx" },
    { M64, "0000", 2, "add byte ptr [rax], al" },
    { M64, "880424", 3, "mov byte ptr [rsp], al" },
    { M64, "88442408", 4, "mov byte ptr [rsp + 8], al" },
    { M64, "41880424", 4, "mov byte ptr [r12], al" },
    { M64, "884500", 3, "mov byte ptr [rbp], al" },
    { M64, "41884500", 4, "mov byte ptr [r13], al" },
    { M64, "41884d00", 4, "mov byte ptr [r13], cl" },
    { M64, "880510000000", 6, "mov byte ptr [rip + 0x10], al" },
    { M64, "8805f0ffffff", 6, "mov byte ptr [rip - 0x10], al" },
    { M64, "67880510000000", 7, "mov byte ptr [eip + 0x10], al" },
    { M64, "41880510000000", 7, "mov byte ptr [rip + 0x10], al" },
    { M64, "88042500100000", 7, "mov byte ptr [0x1000], al" },
    { M64, "88046500100000", 7, "mov byte ptr [0x1000], al" },
    { M64, "4288042500100000", 8, "mov byte ptr [r12*1 + 0x1000], al" },
    { M64, "88048b", 3, "mov byte ptr [rbx + rcx*4], al" },
    { M64, "88448bf0", 4, "mov byte ptr [rbx + rcx*4 - 0x10], al" },
    { M64, "88848b00010000", 7, "mov byte ptr [rbx + rcx*4 + 0x100], al" },
    { M64, "4388048b", 4, "mov byte ptr [r11 + r9*4], al" },
    { M64, "6788048b", 4, "mov byte ptr [ebx + ecx*4], al" },
    { M64, "8804c8", 3, "mov byte ptr [rax + rcx*8], al" },
    { M64, "880448", 3, "mov byte ptr [rax + rcx*2], al" },
    { M64, "88040c", 3, "mov byte ptr [rsp + rcx], al" },
    { M64, "8804e4", 3, "mov byte ptr [rsp], al" },
    { M64, "428804e4", 4, "mov byte ptr [rsp + r12*8], al" },
    { M64, "88042d00100000", 7, "mov byte ptr [rbp*1 + 0x1000], al" },
    { M64, "8b042500000080", 7, "mov eax, dword ptr [0xffffffff80000000]" },
    { M64, "678b042500000080", 8, "mov eax, dword ptr [0x80000000]" },
    { M64, "88e0", 2, "mov al, ah" },
    { M64, "4088e0", 3, "mov al, spl" },
    { M64, "88f8", 2, "mov al, bh" },
    { M64, "4088f8", 3, "mov al, dil" },
    { M64, "4488f8", 3, "mov al, r15b" },
    { M64, "4588c0", 3, "mov r8b, r8b" },
    { M64, "8ae7", 2, "mov ah, bh" },
    { M64, "408ae7", 3, "mov spl, dil" },
    { M64, "418ae7", 3, "mov spl, r15b" },
    { M64, "480fb6c4", 4, "movzx rax, spl" },
    { M64, "0fb6c4", 3, "movzx eax, ah" },
    /* --- 64-bit: immediates */
    { M64, "b0ff", 2, "mov al, 0xff" },
    { M64, "b878563412", 5, "mov eax, 0x12345678" },
    { M64, "48b8efcdab8967452301", 10, "mov rax, 0x123456789abcdef" },
    { M64, "49b8efcdab8967452301", 10, "mov r8, 0x123456789abcdef" },
    { M64, "66b83412", 4, "mov ax, 0x1234" },
    { M64, "48c7c0ffffffff", 7, "mov rax, 0xffffffffffffffff" },
    { M64, "c7c0ffffffff", 6, "mov eax, 0xffffffff" },
    { M64, "4883c0ff", 4, "add rax, 0xffffffffffffffff" },
    { M64, "83c0ff", 3, "add eax, 0xffffffff" },
    { M64, "6683c0ff", 4, "add ax, 0xffff" },
    { M64, "80c0ff", 3, "add al, 0xff" },
    { M64, "0480", 2, "add al, 0x80" },
    { M64, "4805ffffff7f", 6, "add rax, 0x7fffffff" },
    { M64, "480500000080", 6, "add rax, 0xffffffff80000000" },
    { M64, "663d3412", 4, "cmp ax, 0x1234" },
    { M64, "a801", 2, "test al, 1" },
    { M64, "f6c001", 3, "test al, 1" },
    { M64, "f6c801", 3, "test al, 1" },
    { M64, "f7c000010000", 6, "test eax, 0x100" },
    { M64, "6aff", 2, "push 0xffffffffffffffff" },
    { M64, "6800000080", 5, "push 0xffffffff80000000" },
    { M64, "666aff", 3, "push 0xffff" },
    { M64, "66683412", 4, "push 0x1234" },
    { M64, "6bc0ff", 3, "imul eax, eax, 0xffffffff" },
    { M64, "69c000010000", 6, "imul eax, eax, 0x100" },
    { M64, "c8100001", 4, "enter 0x10, 1" },
    { M64, "c20800", 3, "ret 8" },
    { M64, "cd80", 2, "int 0x80" },
    { M64, "cc", 1, "int3" },
    { M64, "f1", 1, "int1" },
    { M64, "e460", 2, "in al, 0x60" },
    { M64, "e680", 2, "out 0x80, al" },
    { M64, "e780", 2, "out 0x80, eax" },
    { M64, "ec", 1, "in al, dx" },
    { M64, "ed", 1, "in eax, dx" },
    { M64, "66ed", 2, "in ax, dx" },
    { M64, "ef", 1, "out dx, eax" },
    { M64, "c1e004", 3, "shl eax, 4" },
    { M64, "d1e0", 2, "shl eax, 1" },
    { M64, "d3e0", 2, "shl eax, cl" },
    { M64, "c0f804", 3, "sar al, 4" },
    { M64, "d1f0", 2, "shl eax, 1" },
    { M64, "48d1c8", 3, "ror rax, 1" },
    { M64, "d0d0", 2, "rcl al, 1" },
    /* --- 64-bit: branches (pc 0x1000) */
    { M64, "ebfe", 2, "jmp 0x1000" },
    { M64, "eb00", 2, "jmp 0x1002" },
    { M64, "eb80", 2, "jmp 0xf82" },
    { M64, "e900000000", 5, "jmp 0x1005" },
    { M64, "e8fbffffff", 5, "call 0x1000" },
    { M64, "7402", 2, "je 0x1004" },
    { M64, "7f02", 2, "jg 0x1004" },
    { M64, "7002", 2, "jo 0x1004" },
    { M64, "0f8400010000", 6, "je 0x1106" },
    { M64, "0f8f00010000", 6, "jg 0x1106" },
    { M64, "66e900000000", 6, "jmp 0x1006" },
    { M64, "66e800000000", 6, "call 0x1006" },
    { M64, "48e900000000", 6, "jmp 0x1006" },
    { M64, "e3fe", 2, "jrcxz 0x1000" },
    { M64, "67e3fe", 3, "jecxz 0x1001" },
    { M64, "e2fe", 2, "loop 0x1000" },
    { M64, "e1fe", 2, "loope 0x1000" },
    { M64, "e0fe", 2, "loopne 0x1000" },
    { M64, "ffe0", 2, "jmp rax" },
    { M64, "41ffe0", 3, "jmp r8" },
    { M64, "ff10", 2, "call qword ptr [rax]" },
    { M64, "41ffd0", 3, "call r8" },
    { M64, "66ffd0", 3, "call rax" },
    { M64, "ff18", 2, "lcall fword ptr [rax]" },
    { M64, "48ff18", 3, "lcall tbyte ptr [rax]" },
    { M64, "66ff18", 3, "lcall dword ptr [rax]" },
    { M64, "ff28", 2, "ljmp fword ptr [rax]" },
    { M64, "c3", 1, "ret" },
    { M64, "cb", 1, "retf" },
    { M64, "48cb", 2, "retfq" },
    { M64, "cf", 1, "iretd" },
    { M64, "48cf", 2, "iretq" },
    { M64, "66cf", 2, "iret" },
    { M64, "3e7400", 3, "je 0x1003" },
    /* --- 64-bit: stack */
    { M64, "50", 1, "push rax" },
    { M64, "4150", 2, "push r8" },
    { M64, "6650", 2, "push ax" },
    { M64, "58", 1, "pop rax" },
    { M64, "415f", 2, "pop r15" },
    { M64, "8fc0", 2, "pop rax" },
    { M64, "8f00", 2, "pop qword ptr [rax]" },
    { M64, "ff30", 2, "push qword ptr [rax]" },
    { M64, "66ff30", 3, "push word ptr [rax]" },
    { M64, "9c", 1, "pushfq" },
    { M64, "669c", 2, "pushf" },
    { M64, "9d", 1, "popfq" },
    { M64, "0fa0", 2, "push fs" },
    { M64, "0fa1", 2, "pop fs" },
    { M64, "0fa8", 2, "push gs" },
    { M64, "0fa9", 2, "pop gs" },
    { M64, "c9", 1, "leave" },
    { M64, "6690", 2, "nop" },
    /* --- 64-bit: NOP/PAUSE/XCHG */
    { M64, "90", 1, "nop" },
    { M64, "4090", 2, "nop" },
    { M64, "4890", 2, "nop" },
    { M64, "4190", 2, "xchg r8d, eax" },
    { M64, "4990", 2, "xchg r8, rax" },
    { M64, "f390", 2, "pause" },
    { M64, "91", 1, "xchg ecx, eax" },
    { M64, "4891", 2, "xchg rcx, rax" },
    { M64, "6691", 2, "xchg cx, ax" },
    { M64, "8600", 2, "xchg byte ptr [rax], al" },
    { M64, "87c8", 2, "xchg eax, ecx" },
    { M64, "0f1f00", 3, "nop dword ptr [rax]" },
    { M64, "0f1f4000", 4, "nop dword ptr [rax]" },
    { M64, "0f1f440000", 5, "nop dword ptr [rax + rax]" },
    { M64, "660f1f440000", 6, "nop word ptr [rax + rax]" },
    { M64, "0f1f8000000000", 7, "nop dword ptr [rax]" },
    { M64, "0f1f840000000000", 8, "nop dword ptr [rax + rax]" },
    { M64, "660f1f840000000000", 9, "nop word ptr [rax + rax]" },
    { M64, "662e0f1f840000000000", 10, "nop word ptr [rax + rax]" },
    { M64, "f30f1efa", 4, "nop edx" },
    { M64, "0f1fc0", 3, "nop eax" },
    { M64, "0f19c0", 3, "nop eax" },
    /* --- 64-bit: instructions invalid in 64-bit mode */
    { M64, "06", 1, "#UD" },
    { M64, "07", 1, "#UD" },
    { M64, "0e", 1, "#UD" },
    { M64, "16", 1, "#UD" },
    { M64, "17", 1, "#UD" },
    { M64, "1e", 1, "#UD" },
    { M64, "1f", 1, "#UD" },
    { M64, "27", 1, "#UD" },
    { M64, "2f", 1, "#UD" },
    { M64, "37", 1, "#UD" },
    { M64, "3f", 1, "#UD" },
    { M64, "60", 1, "#UD" },
    { M64, "61", 1, "#UD" },
    { M64, "6200", -1, "#UD" },
    { M64, "62c0", -1, "#UD" },
    { M64, "82c001", -1, "#UD" },
    { M64, "9a000000000800", -1, "#UD" },
    { M64, "c400", -1, "#UD" },
    { M64, "c500", -1, "#UD" },
    { M64, "ce", 1, "#UD" },
    { M64, "d40a", -1, "#UD" },
    { M64, "d50a", -1, "#UD" },
    { M64, "d6", 1, "#UD" },
    { M64, "ea000000000800", -1, "#UD" },
    { M64, "9e", 1, "sahf" },
    { M64, "9f", 1, "lahf" },
    { M64, "4863c1", 3, "movsxd rax, ecx" },
    { M64, "63c1", 2, "movsxd eax, ecx" },
    { M64, "486300", 3, "movsxd rax, dword ptr [rax]" },
    /* --- 64-bit: segment overrides */
    { M64, "648b00", 3, "mov eax, dword ptr fs:[rax]" },
    { M64, "65488b042528000000", 9, "mov rax, qword ptr gs:[0x28]" },
    { M64, "2e8b00", 3, "mov eax, dword ptr [rax]" },
    { M64, "268b00", 3, "mov eax, dword ptr [rax]" },
    { M64, "368b00", 3, "mov eax, dword ptr [rax]" },
    { M64, "64268b00", 4, "mov eax, dword ptr [rax]" },
    { M64, "26648b00", 4, "mov eax, dword ptr fs:[rax]" },
    { M64, "65a4", 2, "movsb byte ptr es:[rdi], byte ptr gs:[rsi]" },
    /* --- 64-bit: moffs */
    { M64, "a08877665544332211", 9, "mov al, byte ptr [0x1122334455667788]" },
    { M64, "48a18877665544332211", 10, "mov rax, qword ptr [0x1122334455667788]" },
    { M64, "67a044332211", 6, "mov al, byte ptr [0x11223344]" },
    { M64, "a28877665544332211", 9, "mov byte ptr [0x1122334455667788], al" },
    { M64, "66a38877665544332211", 10, "mov word ptr [0x1122334455667788], ax" },
    { M64, "64a10000000000000000", 10, "mov eax, dword ptr fs:[0]" },
    /* --- 64-bit: segment registers */
    { M64, "8ed8", 2, "mov ds, eax" },
    { M64, "8ed0", 2, "mov ss, eax" },
    { M64, "8e18", 2, "mov ds, word ptr [rax]" },
    { M64, "8ec8", 2, "#UD" },
    { M64, "8ef0", 2, "#UD" },
    { M64, "8ef8", 2, "#UD" },
    { M64, "8cc8", 2, "mov eax, cs" },
    { M64, "488cc8", 3, "mov rax, cs" },
    { M64, "8c08", 2, "mov word ptr [rax], cs" },
    { M64, "8ce0", 2, "mov eax, fs" },
    { M64, "8cf0", 2, "#UD" },
    /* --- 64-bit: LOCK */
    { M64, "f00100", 3, "lock add dword ptr [rax], eax" },
    { M64, "f001c0", 3, "#UD" },
    { M64, "f08b00", 3, "#UD" },
    { M64, "f03900", 3, "#UD" },
    { M64, "f08500", 3, "#UD" },
    { M64, "f00fc100", 4, "lock xadd dword ptr [rax], eax" },
    { M64, "f00fb108", 4, "lock cmpxchg dword ptr [rax], ecx" },
    { M64, "f00fc708", 4, "lock cmpxchg8b qword ptr [rax]" },
    { M64, "f0480fc708", 5, "lock cmpxchg16b xmmword ptr [rax]" },
    { M64, "f00fba2805", 5, "lock bts dword ptr [rax], 5" },
    { M64, "f00fa300", 4, "#UD" },
    { M64, "f00fba2005", 5, "#UD" },
    { M64, "f0f618", 3, "lock neg byte ptr [rax]" },
    { M64, "f0f610", 3, "lock not byte ptr [rax]" },
    { M64, "f0f60001", -1, "#UD" },
    { M64, "f0fe00", 3, "lock inc byte ptr [rax]" },
    { M64, "f0ff08", 3, "lock dec dword ptr [rax]" },
    { M64, "f0ff10", -1, "#UD" },
    { M64, "f08600", 3, "lock xchg byte ptr [rax], al" },
    { M64, "f08000ff", 4, "lock add byte ptr [rax], 0xff" },
    { M64, "f0803801", 4, "#UD" },
    { M64, "f048830801", 5, "lock or qword ptr [rax], 1" },
    { M64, "f090", 2, "#UD" },
    { M64, "f0c7000000000000", -1, "#UD" },
    { M64, "f00f0000", -1, "#UD" },
    { M64, "f2f00100", 4, "lock add dword ptr [rax], eax" },
    /* --- 64-bit: 15-byte limit */
    { M64, "666666666666666666666666666690", 15, "nop" },
    { M64, "66666666666666666666666666666690", -1, "#GP" },
    { M64, "2e2e2e2e2e2e2e2e48c70000000000", 15, "mov qword ptr [rax], 0" },
    { M64, "2e2e2e2e2e2e2e2e2e48c70000000000", -1, "#GP" },
    { M64, "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0", -1, "#GP" },
    { M64, "404040404040404040404040404090", 15, "nop" },
    /* --- 64-bit: SSE family, mandatory prefixes */
    { M64, "0f58c1", 3, "addps xmm0, xmm1" },
    { M64, "660f58c1", 4, "addpd xmm0, xmm1" },
    { M64, "f30f58c1", 4, "addss xmm0, xmm1" },
    { M64, "f20f58c1", 4, "addsd xmm0, xmm1" },
    { M64, "66f30f58c1", 5, "addss xmm0, xmm1" },
    { M64, "f3660f58c1", 5, "addss xmm0, xmm1" },
    { M64, "f2f30f58c1", 5, "addss xmm0, xmm1" },
    { M64, "f3f20f58c1", 5, "addsd xmm0, xmm1" },
    { M64, "440f58c1", 4, "addps xmm8, xmm1" },
    { M64, "450f58c1", 4, "addps xmm8, xmm9" },
    { M64, "410f5800", 4, "addps xmm0, xmmword ptr [r8]" },
    { M64, "0f2800", 3, "movaps xmm0, xmmword ptr [rax]" },
    { M64, "0f2900", 3, "movaps xmmword ptr [rax], xmm0" },
    { M64, "0f1000", 3, "movups xmm0, xmmword ptr [rax]" },
    { M64, "f30f1000", 4, "movss xmm0, dword ptr [rax]" },
    { M64, "f20f1100", 4, "movsd qword ptr [rax], xmm0" },
    { M64, "0f12c1", 3, "movhlps xmm0, xmm1" },
    { M64, "0f1200", 3, "movlps xmm0, qword ptr [rax]" },
    { M64, "660f12c1", 4, "#UD" },
    { M64, "660f1200", 4, "movlpd xmm0, qword ptr [rax]" },
    { M64, "0f16c1", 3, "movlhps xmm0, xmm1" },
    { M64, "f20f12c1", 4, "movddup xmm0, xmm1" },
    { M64, "f30f16c1", 4, "movshdup xmm0, xmm1" },
    { M64, "0f6fc1", 3, "movq mm0, mm1" },
    { M64, "660f6fc1", 4, "movdqa xmm0, xmm1" },
    { M64, "f30f6fc1", 4, "movdqu xmm0, xmm1" },
    { M64, "f20f6fc1", 3, "#UD" },
    { M64, "0f6ec0", 3, "movd mm0, eax" },
    { M64, "480f6ec0", 4, "movq mm0, rax" },
    { M64, "660f6ec0", 4, "movd xmm0, eax" },
    { M64, "66480f6ec0", 5, "movq xmm0, rax" },
    { M64, "660f7ec0", 4, "movd eax, xmm0" },
    { M64, "f30f7ec1", 4, "movq xmm0, xmm1" },
    { M64, "660fd600", 4, "movq qword ptr [rax], xmm0" },
    { M64, "f30fd6c1", 4, "movq2dq xmm0, mm1" },
    { M64, "f20fd6c1", 4, "movdq2q mm0, xmm1" },
    { M64, "0fefc0", 3, "pxor mm0, mm0" },
    { M64, "660fefc0", 4, "pxor xmm0, xmm0" },
    { M64, "660f73d804", 5, "psrldq xmm0, 4" },
    { M64, "0f73d804", -1, "#UD" },
    { M64, "0f71d004", 4, "psrlw mm0, 4" },
    { M64, "0f711004", -1, "#UD" },
    { M64, "660f72e004", 5, "psrad xmm0, 4" },
    { M64, "0fc2c101", 4, "cmpps xmm0, xmm1, 1" },
    { M64, "f20fc2c107", 5, "cmpsd xmm0, xmm1, 7" },
    { M64, "660f3a0fc104", 6, "palignr xmm0, xmm1, 4" },
    { M64, "0f3a0fc104", 5, "palignr mm0, mm1, 4" },
    { M64, "660f3800c1", 5, "pshufb xmm0, xmm1" },
    { M64, "0f3800c1", 4, "pshufb mm0, mm1" },
    { M64, "660f3810c1", 5, "pblendvb xmm0, xmm1, xmm0" },
    { M64, "660f3a63c100", 6, "pcmpistri xmm0, xmm1, 0" },
    { M64, "660f3a44c100", 6, "pclmulqdq xmm0, xmm1, 0" },
    { M64, "660f38dcc1", 5, "aesenc xmm0, xmm1" },
    { M64, "660f3adfc101", 6, "aeskeygenassist xmm0, xmm1, 1" },
    { M64, "660f3a16c001", 6, "pextrd eax, xmm0, 1" },
    { M64, "66480f3a16c001", 7, "pextrq rax, xmm0, 1" },
    { M64, "660f3a20c001", 6, "pinsrb xmm0, eax, 1" },
    { M64, "660f3a200001", 6, "pinsrb xmm0, byte ptr [rax], 1" },
    { M64, "660f382000", 5, "pmovsxbw xmm0, qword ptr [rax]" },
    { M64, "660f382100", 5, "pmovsxbd xmm0, dword ptr [rax]" },
    { M64, "660f382200", 5, "pmovsxbq xmm0, word ptr [rax]" },
    { M64, "660f383500", 5, "pmovzxdq xmm0, qword ptr [rax]" },
    { M64, "660f382a00", 5, "movntdqa xmm0, xmmword ptr [rax]" },
    { M64, "660f3817c1", 5, "ptest xmm0, xmm1" },
    { M64, "660f3a0bc104", 6, "roundsd xmm0, xmm1, 4" },
    { M64, "0fc4c001", 4, "pinsrw mm0, eax, 1" },
    { M64, "660fc5c001", 5, "pextrw eax, xmm0, 1" },
    { M64, "0fd7c1", 3, "pmovmskb eax, mm1" },
    { M64, "0f50c1", 3, "movmskps eax, xmm1" },
    { M64, "f20f2cc1", 4, "cvttsd2si eax, xmm1" },
    { M64, "f2480f2dc1", 5, "cvtsd2si rax, xmm1" },
    { M64, "f30f2ac0", 4, "cvtsi2ss xmm0, eax" },
    { M64, "f2480f2a00", 5, "cvtsi2sd xmm0, qword ptr [rax]" },
    { M64, "0f2ac1", 3, "cvtpi2ps xmm0, mm1" },
    { M64, "0f5ac1", 3, "cvtps2pd xmm0, xmm1" },
    { M64, "f30fe6c1", 4, "cvtdq2pd xmm0, xmm1" },
    { M64, "0f77", 2, "emms" },
    { M64, "660f77", 3, "#UD" },
    { M64, "f20ff000", 4, "lddqu xmm0, xmmword ptr [rax]" },
    { M64, "0ff000", -1, "#UD" },
    { M64, "660ff7c1", 4, "maskmovdqu xmm0, xmm1" },
    { M64, "0fe700", 3, "movntq qword ptr [rax], mm0" },
    { M64, "0f2b00", 3, "movntps xmmword ptr [rax], xmm0" },
    { M64, "0f2bc0", -1, "#UD" },
    { M64, "0fc6001b", 4, "shufps xmm0, xmmword ptr [rax], 0x1b" },
    { M64, "660f7cc1", 4, "haddpd xmm0, xmm1" },
    { M64, "0f2fc1", 3, "comiss xmm0, xmm1" },
    { M64, "660f2e00", 4, "ucomisd xmm0, qword ptr [rax]" },
    { M64, "660fd4c1", 4, "paddq xmm0, xmm1" },
    { M64, "0ff4c1", 3, "pmuludq mm0, mm1" },
    { M64, "0f0fc1b4", -1, "#UD" },
    { M64, "0f0e", 2, "#UD" },
    /* --- 64-bit: integer 0F map */
    { M64, "f20f38f0c1", 5, "crc32 eax, cl" },
    { M64, "f20f38f1c1", 5, "crc32 eax, ecx" },
    { M64, "66f20f38f1c1", 6, "crc32 eax, cx" },
    { M64, "f2480f38f1c1", 6, "crc32 rax, rcx" },
    { M64, "f2480f38f0c1", 6, "crc32 rax, cl" },
    { M64, "0f38f000", 4, "movbe eax, dword ptr [rax]" },
    { M64, "0f38f100", 4, "movbe dword ptr [rax], eax" },
    { M64, "660f38f100", 5, "movbe word ptr [rax], ax" },
    { M64, "0f38f0c0", -1, "#UD" },
    { M64, "660f38f6c1", 5, "adcx eax, ecx" },
    { M64, "f3480f38f6c1", 6, "adox rax, rcx" },
    { M64, "f30fb8c1", 4, "popcnt eax, ecx" },
    { M64, "66f30fb8c1", 5, "popcnt ax, cx" },
    { M64, "0fb8c1", -1, "#UD" },
    { M64, "f30fbcc1", 4, "tzcnt eax, ecx" },
    { M64, "f30fbdc1", 4, "lzcnt eax, ecx" },
    { M64, "0fbcc1", 3, "bsf eax, ecx" },
    { M64, "0fbdc1", 3, "bsr eax, ecx" },
    { M64, "0fc7f0", 3, "rdrand eax" },
    { M64, "480fc7f0", 4, "rdrand rax" },
    { M64, "660fc7f0", 4, "rdrand ax" },
    { M64, "0fc7f8", 3, "rdseed eax" },
    { M64, "f30fc7f8", 4, "rdpid rax" },
    { M64, "0fc7c0", 3, "#UD" },
    { M64, "f30faec0", 4, "rdfsbase eax" },
    { M64, "f3480faec0", 5, "rdfsbase rax" },
    { M64, "f30faec8", 4, "rdgsbase eax" },
    { M64, "f30faed0", 4, "wrfsbase eax" },
    { M64, "f3480faed8", 5, "wrgsbase rax" },
    { M64, "0fae00", 3, "fxsave [rax]" },
    { M64, "480fae00", 4, "fxsave64 [rax]" },
    { M64, "0fae08", 3, "fxrstor [rax]" },
    { M64, "0fae10", 3, "ldmxcsr dword ptr [rax]" },
    { M64, "0fae18", 3, "stmxcsr dword ptr [rax]" },
    { M64, "0fae20", 3, "xsave [rax]" },
    { M64, "480fae20", 4, "xsave64 [rax]" },
    { M64, "0fae28", 3, "xrstor [rax]" },
    { M64, "0fae30", 3, "xsaveopt [rax]" },
    { M64, "0fae38", 3, "clflush byte ptr [rax]" },
    { M64, "660fae38", 4, "clflushopt byte ptr [rax]" },
    { M64, "660fae30", 4, "clwb byte ptr [rax]" },
    { M64, "0faee8", 3, "lfence" },
    { M64, "0faef0", 3, "mfence" },
    { M64, "0faef8", 3, "sfence" },
    { M64, "0faec0", -1, "#UD" },
    { M64, "0fc720", 3, "xsavec [rax]" },
    { M64, "0fc728", 3, "xsaves [rax]" },
    { M64, "0fc718", 3, "xrstors [rax]" },
    { M64, "0f01d0", 3, "xgetbv" },
    { M64, "0f01d1", 3, "xsetbv" },
    { M64, "0f01f8", 3, "swapgs" },
    { M64, "0f01f9", 3, "rdtscp" },
    { M64, "0f01c8", 3, "monitor" },
    { M64, "0f01c9", 3, "mwait" },
    { M64, "0f01ca", 3, "clac" },
    { M64, "0f01cb", 3, "stac" },
    { M64, "0f01ee", 3, "rdpkru" },
    { M64, "0f01ef", 3, "wrpkru" },
    { M64, "0f0100", 3, "sgdt tbyte ptr [rax]" },
    { M64, "0f0108", 3, "sidt tbyte ptr [rax]" },
    { M64, "0f0110", 3, "lgdt tbyte ptr [rax]" },
    { M64, "0f0118", 3, "lidt tbyte ptr [rax]" },
    { M64, "0f01e0", 3, "smsw eax" },
    { M64, "0f0120", 3, "smsw word ptr [rax]" },
    { M64, "0f01f0", 3, "lmsw ax" },
    { M64, "0f0138", 3, "invlpg byte ptr [rax]" },
    { M64, "0f01c1", 3, "#UD" },
    { M64, "0f01d8", 3, "#UD" },
    { M64, "0f0128", -1, "#UD" },
    { M64, "0f00c0", 3, "sldt eax" },
    { M64, "0f0000", 3, "sldt word ptr [rax]" },
    { M64, "0f00d0", 3, "lldt ax" },
    { M64, "0f00d8", 3, "ltr ax" },
    { M64, "0f00e0", 3, "verr ax" },
    { M64, "0f00e8", 3, "verw ax" },
    { M64, "0f00f0", -1, "#UD" },
    { M64, "0f02c1", 3, "lar eax, ecx" },
    { M64, "480f03c1", 4, "lsl rax, ecx" },
    { M64, "660f02c1", 4, "lar ax, cx" },
    { M64, "0f05", 2, "syscall" },
    { M64, "0f07", 2, "sysret" },
    { M64, "0f34", 2, "sysenter" },
    { M64, "0f35", 2, "sysexit" },
    { M64, "0f06", 2, "clts" },
    { M64, "0f08", 2, "invd" },
    { M64, "0f09", 2, "wbinvd" },
    { M64, "0f0b", 2, "ud2" },
    { M64, "0fffc0", 3, "ud0 eax, eax" },
    { M64, "0fb9c0", 3, "ud1 eax, eax" },
    { M64, "0f30", 2, "wrmsr" },
    { M64, "0f31", 2, "rdtsc" },
    { M64, "0f32", 2, "rdmsr" },
    { M64, "0f33", 2, "rdpmc" },
    { M64, "0fa2", 2, "cpuid" },
    { M64, "0faa", 2, "rsm" },
    { M64, "0f37", -1, "#UD" },
    { M64, "0f20c0", 3, "mov rax, cr0" },
    { M64, "0f22d8", 3, "mov cr3, rax" },
    { M64, "0f22e0", 3, "mov cr4, rax" },
    { M64, "440f20c0", 4, "mov rax, cr8" },
    { M64, "0f20d0", 3, "mov rax, cr2" },
    { M64, "0f20c8", -1, "#UD" },
    { M64, "0f20e8", -1, "#UD" },
    { M64, "440f20c8", -1, "#UD" },
    { M64, "0f21f8", 3, "mov rax, dr7" },
    { M64, "0f23c0", 3, "mov dr0, rax" },
    { M64, "440f21c0", -1, "#UD" },
    { M64, "0f2000", 3, "mov rax, cr0" },
    { M64, "660f20c0", 4, "mov rax, cr0" },
    { M64, "0f40c1", 3, "cmovo eax, ecx" },
    { M64, "480f4fc1", 4, "cmovg rax, rcx" },
    { M64, "0f4200", 3, "cmovb eax, dword ptr [rax]" },
    { M64, "0f94c0", 3, "sete al" },
    { M64, "0f9f00", 3, "setg byte ptr [rax]" },
    { M64, "0f95f8", 3, "setne al" },
    { M64, "400f95c4", 4, "setne spl" },
    { M64, "0fa3c8", 3, "bt eax, ecx" },
    { M64, "0fbae005", 4, "bt eax, 5" },
    { M64, "0fbaf005", 4, "btr eax, 5" },
    { M64, "0fbac005", -1, "#UD" },
    { M64, "0fabc8", 3, "bts eax, ecx" },
    { M64, "0fbbc8", 3, "btc eax, ecx" },
    { M64, "0fa4c804", 4, "shld eax, ecx, 4" },
    { M64, "0fa5c8", 3, "shld eax, ecx, cl" },
    { M64, "0facc804", 4, "shrd eax, ecx, 4" },
    { M64, "0fadc8", 3, "shrd eax, ecx, cl" },
    { M64, "0fafc1", 3, "imul eax, ecx" },
    { M64, "f7e9", 2, "imul ecx" },
    { M64, "f6e9", 2, "imul cl" },
    { M64, "f7e1", 2, "mul ecx" },
    { M64, "f7f1", 2, "div ecx" },
    { M64, "48f7f9", 3, "idiv rcx" },
    { M64, "f7d0", 2, "not eax" },
    { M64, "f7d8", 2, "neg eax" },
    { M64, "0fb008", 3, "cmpxchg byte ptr [rax], cl" },
    { M64, "0fb200", 3, "lss eax, fword ptr [rax]" },
    { M64, "480fb400", 4, "lfs rax, tbyte ptr [rax]" },
    { M64, "0fb500", 3, "lgs eax, fword ptr [rax]" },
    { M64, "0fb2c0", -1, "#UD" },
    { M64, "0fb6c1", 3, "movzx eax, cl" },
    { M64, "0fb7c1", 3, "movzx eax, cx" },
    { M64, "480fbec1", 4, "movsx rax, cl" },
    { M64, "0fbfc1", 3, "movsx eax, cx" },
    { M64, "660fbec1", 4, "movsx ax, cl" },
    { M64, "0fc8", 2, "bswap eax" },
    { M64, "490fc8", 3, "bswap r8" },
    { M64, "480fcf", 3, "bswap rdi" },
    { M64, "0fc300", 3, "movnti dword ptr [rax], eax" },
    { M64, "0f0d08", 3, "prefetchw byte ptr [rax]" },
    { M64, "0f0d00", 3, "prefetch byte ptr [rax]" },
    { M64, "0f0dc0", -1, "#UD" },
    { M64, "0f1800", 3, "prefetchnta byte ptr [rax]" },
    { M64, "0f1808", 3, "prefetcht0 byte ptr [rax]" },
    { M64, "0f1810", 3, "prefetcht1 byte ptr [rax]" },
    { M64, "0f1818", 3, "prefetcht2 byte ptr [rax]" },
    { M64, "0f18c0", 3, "nop eax" },
    { M64, "d7", 1, "xlatb" },
    { M64, "98", 1, "cwde" },
    { M64, "4898", 2, "cdqe" },
    { M64, "6698", 2, "cbw" },
    { M64, "99", 1, "cdq" },
    { M64, "4899", 2, "cqo" },
    { M64, "a4", 1, "movsb byte ptr es:[rdi], byte ptr [rsi]" },
    { M64, "48a5", 2, "movsq qword ptr es:[rdi], qword ptr [rsi]" },
    { M64, "f3a4", 2, "rep movsb byte ptr es:[rdi], byte ptr [rsi]" },
    { M64, "f3a6", 2, "repe cmpsb byte ptr [rsi], byte ptr es:[rdi]" },
    { M64, "f2ae", 2, "repne scasb al, byte ptr es:[rdi]" },
    { M64, "f3ab", 2, "rep stosd dword ptr es:[rdi], eax" },
    { M64, "67ac", 2, "lodsb al, byte ptr [esi]" },
    { M64, "6c", 1, "insb byte ptr es:[rdi], dx" },
    { M64, "6f", 1, "outsd dx, dword ptr [rsi]" },
    { M64, "f4", 1, "hlt" },
    { M64, "fa", 1, "cli" },
    { M64, "fb", 1, "sti" },
    { M64, "f5", 1, "cmc" },
    { M64, "fc", 1, "cld" },
    { M64, "fd", 1, "std" },
    { M64, "9b", 1, "wait" },
    { M64, "fe00", 2, "inc byte ptr [rax]" },
    { M64, "fe10", -1, "#UD" },
    { M64, "ff38", -1, "#UD" },
    { M64, "c6c001", 3, "mov al, 1" },
    { M64, "c6c801", -1, "#UD" },
    { M64, "c7f800000000", -1, "#UD" },
    { M64, "8d0424", 3, "lea eax, [rsp]" },
    { M64, "488d0500000000", 7, "lea rax, [rip]" },
    { M64, "8dc0", -1, "#UD" },
    /* --- x87 */
    { M64, "d8c1", 2, "fadd st(0), st(1)" },
    { M64, "dcc1", 2, "fadd st(1), st(0)" },
    { M64, "d800", 2, "fadd dword ptr [rax]" },
    { M64, "dc00", 2, "fadd qword ptr [rax]" },
    { M64, "dce1", 2, "fsubr st(1), st(0)" },
    { M64, "dce9", 2, "fsub st(1), st(0)" },
    { M64, "def9", 2, "fdivp st(1), st(0)" },
    { M64, "d900", 2, "fld dword ptr [rax]" },
    { M64, "dd00", 2, "fld qword ptr [rax]" },
    { M64, "db28", 2, "fld tbyte ptr [rax]" },
    { M64, "db38", 2, "fstp tbyte ptr [rax]" },
    { M64, "df28", 2, "fild qword ptr [rax]" },
    { M64, "df20", 2, "fbld tbyte ptr [rax]" },
    { M64, "df30", 2, "fbstp tbyte ptr [rax]" },
    { M64, "de00", 2, "fiadd word ptr [rax]" },
    { M64, "da00", 2, "fiadd dword ptr [rax]" },
    { M64, "df00", 2, "fild word ptr [rax]" },
    { M64, "db00", 2, "fild dword ptr [rax]" },
    { M64, "db08", 2, "fisttp dword ptr [rax]" },
    { M64, "dd08", 2, "fisttp qword ptr [rax]" },
    { M64, "d9e8", 2, "fld1" },
    { M64, "d9ee", 2, "fldz" },
    { M64, "d9eb", 2, "fldpi" },
    { M64, "d9c9", 2, "fxch st(1)" },
    { M64, "d9d0", 2, "fnop" },
    { M64, "d9fe", 2, "fsin" },
    { M64, "d9e0", 2, "fchs" },
    { M64, "dfe0", 2, "fnstsw ax" },
    { M64, "dd38", 2, "fnstsw word ptr [rax]" },
    { M64, "d938", 2, "fnstcw word ptr [rax]" },
    { M64, "d928", 2, "fldcw word ptr [rax]" },
    { M64, "d930", 2, "fnstenv [rax]" },
    { M64, "d920", 2, "fldenv [rax]" },
    { M64, "dd30", 2, "fnsave [rax]" },
    { M64, "dd20", 2, "frstor [rax]" },
    { M64, "dbe3", 2, "fninit" },
    { M64, "dbe2", 2, "fnclex" },
    { M64, "ded9", 2, "fcompp" },
    { M64, "dae9", 2, "fucompp" },
    { M64, "dbe9", 2, "fucomi st(0), st(1)" },
    { M64, "dfe9", 2, "fucomip st(0), st(1)" },
    { M64, "dbf1", 2, "fcomi st(0), st(1)" },
    { M64, "dac1", 2, "fcmovb st(0), st(1)" },
    { M64, "dbd1", 2, "fcmovnbe st(0), st(1)" },
    { M64, "ddc1", 2, "ffree st(1)" },
    { M64, "ddd9", 2, "fstp st(1)" },
    { M64, "d9d9", 2, "fstp st(1)" },
    { M64, "dfc1", 2, "ffreep st(1)" },
    { M64, "d908", -1, "#UD" },
    { M64, "d9d1", 2, "#UD" },
    { M64, "d9e2", 2, "#UD" },
    { M64, "dfe1", 2, "#UD" },
    { M64, "ded8", 2, "#UD" },
    { M64, "dbe5", 2, "#UD" },
    { M64, "ddf0", 2, "#UD" },
    /* --- VEX: BMI1/BMI2, AVX rejected */
    { M64, "c4e278f2c1", 5, "andn eax, eax, ecx" },
    { M64, "c4e2f8f2c1", 5, "andn rax, rax, rcx" },
    { M64, "c4e270f2c1", 5, "andn eax, ecx, ecx" },
    { M64, "c462f8f2c1", 5, "andn r8, rax, rcx" },
    { M64, "c4c278f2c1", 5, "andn eax, eax, r9d" },
    { M64, "c4e278f200", 5, "andn eax, eax, dword ptr [rax]" },
    { M64, "c4e278f3c9", 5, "blsr eax, ecx" },
    { M64, "c4e278f3d1", 5, "blsmsk eax, ecx" },
    { M64, "c4e278f3d9", 5, "blsi eax, ecx" },
    { M64, "c4e278f3c1", -1, "#UD" },
    { M64, "c4e278f7c1", 5, "bextr eax, ecx, eax" },
    { M64, "c4e27bf6c1", 5, "mulx eax, eax, ecx" },
    { M64, "c4e37bf0c105", 6, "rorx eax, ecx, 5" },
    { M64, "c4e3fbf0c105", 6, "rorx rax, rcx, 5" },
    { M64, "c4e279f7c1", 5, "shlx eax, ecx, eax" },
    { M64, "c4e27af7c1", 5, "sarx eax, ecx, eax" },
    { M64, "c4e27bf7c1", 5, "shrx eax, ecx, eax" },
    { M64, "c4e27af5c1", 5, "pext eax, eax, ecx" },
    { M64, "c4e27bf5c1", 5, "pdep eax, eax, ecx" },
    { M64, "c4e278f5c1", 5, "bzhi eax, ecx, eax" },
    { M64, "c4e279f5c1", -1, "#UD" },
    { M64, "c4e27cf2c1", -1, "#UD" },
    { M64, "c4e373f0c105", -1, "#UD" },
    { M64, "66c4e278f2c1", -1, "#UD" },
    { M64, "f3c4e278f2c1", -1, "#UD" },
    { M64, "48c4e278f2c1", -1, "#UD" },
    { M64, "f0c4e278f2c1", -1, "#UD" },
    { M64, "c5f858c1", -1, "#UD" },
    { M64, "c4e17858c1", -1, "#UD" },
    { M64, "c4e27818c1", -1, "#UD" },
    { M64, "c4e478f2c1", -1, "#UD" },
    { M64, "62f17c4858c1", -1, "#UD" },
    { M64, "8fe878c0c101", -1, "#UD" },
    /* --- 32-bit protected mode */
    { P32, "06", 1, "push es" },
    { P32, "07", 1, "pop es" },
    { P32, "0e", 1, "push cs" },
    { P32, "16", 1, "push ss" },
    { P32, "17", 1, "pop ss" },
    { P32, "1e", 1, "push ds" },
    { P32, "1f", 1, "pop ds" },
    { P32, "27", 1, "daa" },
    { P32, "2f", 1, "das" },
    { P32, "37", 1, "aaa" },
    { P32, "3f", 1, "aas" },
    { P32, "60", 1, "pushad" },
    { P32, "61", 1, "popad" },
    { P32, "6660", 2, "pusha" },
    { P32, "6200", 2, "bound eax, qword ptr [eax]" },
    { P32, "666200", 3, "bound ax, dword ptr [eax]" },
    { P32, "62c0", -1, "#UD" },
    { P32, "63c0", 2, "arpl ax, ax" },
    { P32, "6300", 2, "arpl word ptr [eax], ax" },
    { P32, "9a785634123412", 7, "lcall 0x1234:0x12345678" },
    { P32, "669a34127856", 6, "lcall 0x5678:0x1234" },
    { P32, "ea785634120800", 7, "ljmp 0x8:0x12345678" },
    { P32, "c400", 2, "les eax, fword ptr [eax]" },
    { P32, "c500", 2, "lds eax, fword ptr [eax]" },
    { P32, "66c400", 3, "les ax, dword ptr [eax]" },
    { P32, "ce", 1, "into" },
    { P32, "d40a", 2, "aam 0xa" },
    { P32, "d50a", 2, "aad 0xa" },
    { P32, "d410", 2, "aam 0x10" },
    { P32, "d6", 1, "salc" },
    { P32, "d7", 1, "xlatb" },
    { P32, "40", 1, "inc eax" },
    { P32, "48", 1, "dec eax" },
    { P32, "4f", 1, "dec edi" },
    { P32, "6640", 2, "inc ax" },
    { P32, "82c001", 3, "add al, 1" },
    { P32, "8b0424", 3, "mov eax, dword ptr [esp]" },
    { P32, "8b0500100000", 6, "mov eax, dword ptr [0x1000]" },
    { P32, "8b4508", 3, "mov eax, dword ptr [ebp + 8]" },
    { P32, "678b00", 3, "mov eax, dword ptr [bx + si]" },
    { P32, "678b063412", 5, "mov eax, dword ptr [0x1234]" },
    { P32, "678b4602", 4, "mov eax, dword ptr [bp + 2]" },
    { P32, "668b00", 3, "mov ax, word ptr [eax]" },
    { P32, "8b048d00100000", 7, "mov eax, dword ptr [ecx*4 + 0x1000]" },
    { P32, "2e8b00", 3, "mov eax, dword ptr cs:[eax]" },
    { P32, "268b00", 3, "mov eax, dword ptr es:[eax]" },
    { P32, "a100100000", 5, "mov eax, dword ptr [0x1000]" },
    { P32, "67a10010", 4, "mov eax, dword ptr [0x1000]" },
    { P32, "e9fbffffff", 5, "jmp 0x1000" },
    { P32, "66e9fdff", 4, "jmp 0x1001" },
    { P32, "66ebfe", 3, "jmp 0x1001" },
    { P32, "66e8fdff", 4, "call 0x1001" },
    { P32, "e3fe", 2, "jecxz 0x1000" },
    { P32, "67e3fe", 3, "jcxz 0x1001" },
    { P32, "67e2fe", 3, "loop 0x1001" },
    { P32, "0f01f8", -1, "#UD" },
    { P32, "f30faec0", -1, "#UD" },
    { P32, "c4e278f2c1", 5, "andn eax, eax, ecx" },
    { P32, "c4e2f8f2c1", 5, "andn eax, eax, ecx" },
    { P32, "c5f858c1", -1, "#UD" },
    { P32, "0f05", 2, "syscall" },
    { P32, "0f20c0", 3, "mov eax, cr0" },
    { P32, "0f22c0", 3, "mov cr0, eax" },
    { P32, "f00f20c0", 4, "lock mov eax, cr8" },
    { P32, "8cd8", 2, "mov eax, ds" },
    { P32, "8ed8", 2, "mov ds, eax" },
    { P32, "f3a4", 2, "rep movsb byte ptr es:[edi], byte ptr [esi]" },
    { P32, "f2a6", 2, "repne cmpsb byte ptr [esi], byte ptr es:[edi]" },
    { P32, "f3a6", 2, "repe cmpsb byte ptr [esi], byte ptr es:[edi]" },
    { P32, "26a4", 2, "movsb byte ptr es:[edi], byte ptr es:[esi]" },
    { P32, "64ac", 2, "lodsb al, byte ptr fs:[esi]" },
    { P32, "67a4", 2, "movsb byte ptr es:[di], byte ptr [si]" },
    { P32, "66a5", 2, "movsw word ptr es:[edi], word ptr [esi]" },
    { P32, "a5", 1, "movsd dword ptr es:[edi], dword ptr [esi]" },
    { P32, "f3ab", 2, "rep stosd dword ptr es:[edi], eax" },
    { P32, "6c", 1, "insb byte ptr es:[edi], dx" },
    { P32, "6f", 1, "outsd dx, dword ptr [esi]" },
    { P32, "666f", 2, "outsw dx, word ptr [esi]" },
    { P32, "9c", 1, "pushfd" },
    { P32, "cf", 1, "iretd" },
    { P32, "98", 1, "cwde" },
    { P32, "99", 1, "cdq" },
    { P32, "6698", 2, "cbw" },
    { P32, "ff18", 2, "lcall fword ptr [eax]" },
    { P32, "66ff18", 3, "lcall dword ptr [eax]" },
    { P32, "ff20", 2, "jmp dword ptr [eax]" },
    { P32, "0fb200", 3, "lss eax, fword ptr [eax]" },
    { P32, "0f0100", 3, "sgdt fword ptr [eax]" },
    { P32, "49", 1, "dec ecx" },
    { P32, "63c1", 2, "arpl cx, ax" },
    { P32, "9e", 1, "sahf" },
    { P32, "c3", 1, "ret" },
    { P32, "cb", 1, "retf" },
    { P32, "f30f7ec1", 4, "movq xmm0, xmm1" },
    { P32, "660f3a16c001", 6, "pextrd eax, xmm0, 1" },
    { P32, "f30fc7f8", 4, "rdpid eax" },
    /* --- compatibility mode behaves like protected mode */
    { CMP32, "06", 1, "push es" },
    { CMP32, "48", 1, "dec eax" },
    { CMP32, "6200", 2, "bound eax, qword ptr [eax]" },
    { CMP32, "0f01f8", -1, "#UD" },
    { CMP16, "01c8", 2, "add ax, cx" },
    /* --- 16-bit: real mode (SeaBIOS), protected 16, vm86 */
    { REAL, "01c8", 2, "add ax, cx" },
    { REAL, "6601c8", 3, "add eax, ecx" },
    { REAL, "8b00", 2, "mov ax, word ptr [bx + si]" },
    { REAL, "8b01", 2, "mov ax, word ptr [bx + di]" },
    { REAL, "8b02", 2, "mov ax, word ptr [bp + si]" },
    { REAL, "8b03", 2, "mov ax, word ptr [bp + di]" },
    { REAL, "8b04", 2, "mov ax, word ptr [si]" },
    { REAL, "8b05", 2, "mov ax, word ptr [di]" },
    { REAL, "8b063412", 4, "mov ax, word ptr [0x1234]" },
    { REAL, "8b07", 2, "mov ax, word ptr [bx]" },
    { REAL, "8b4602", 3, "mov ax, word ptr [bp + 2]" },
    { REAL, "8b46fe", 3, "mov ax, word ptr [bp - 2]" },
    { REAL, "8b4700", 3, "mov ax, word ptr [bx]" },
    { REAL, "8b47ff", 3, "mov ax, word ptr [bx - 1]" },
    { REAL, "8b870001", 4, "mov ax, word ptr [bx + 0x100]" },
    { REAL, "8b86feff", 4, "mov ax, word ptr [bp - 2]" },
    { REAL, "678b00", 3, "mov ax, word ptr [eax]" },
    { REAL, "678b0424", 4, "mov ax, word ptr [esp]" },
    { REAL, "66678b4508", 5, "mov eax, dword ptr [ebp + 8]" },
    { REAL, "8a263412", 4, "mov ah, byte ptr [0x1234]" },
    { REAL, "2e8b063412", 5, "mov ax, word ptr cs:[0x1234]" },
    { REAL, "e8fdff", 3, "call 0x1000" },
    { REAL, "ebfe", 2, "jmp 0x1000" },
    { REAL, "66e8faffffff", 6, "call 0x1000" },
    { REAL, "0f84fcff", 4, "je 0x1000" },
    { REAL, "ea000000f0", 5, "ljmp 0xf000:0x0" },
    { REAL, "9a000000f0", 5, "lcall 0xf000:0x0" },
    { REAL, "66ea000000000800", 8, "ljmp 0x8:0x0" },
    { REAL, "cd10", 2, "int 0x10" },
    { REAL, "cf", 1, "iret" },
    { REAL, "66cf", 2, "iretd" },
    { REAL, "cb", 1, "retf" },
    { REAL, "9c", 1, "pushf" },
    { REAL, "60", 1, "pusha" },
    { REAL, "98", 1, "cbw" },
    { REAL, "99", 1, "cwd" },
    { REAL, "6699", 2, "cdq" },
    { REAL, "0f00c0", -1, "#UD" },
    { REAL, "0f0000", -1, "#UD" },
    { REAL, "0f02c1", -1, "#UD" },
    { REAL, "63c0", -1, "#UD" },
    { REAL, "0f0110", 3, "lgdt fword ptr [bx + si]" },
    { REAL, "660f0110", 4, "lgdt fword ptr [bx + si]" },
    { REAL, "0f20c0", 3, "mov eax, cr0" },
    { REAL, "0f22c0", 3, "mov cr0, eax" },
    { REAL, "0f01e0", 3, "smsw ax" },
    { REAL, "a13412", 3, "mov ax, word ptr [0x1234]" },
    { REAL, "67a178563412", 6, "mov ax, word ptr [0x12345678]" },
    { REAL, "8ed0", 2, "mov ss, ax" },
    { REAL, "8cc8", 2, "mov ax, cs" },
    { REAL, "c4e278f2c1", -1, "#UD" },
    { REAL, "c400", 2, "les ax, dword ptr [bx + si]" },
    { REAL, "f3a4", 2, "rep movsb byte ptr es:[di], byte ptr [si]" },
    { REAL, "e3fe", 2, "jcxz 0x1000" },
    { REAL, "67e3fe", 3, "jecxz 0x1001" },
    { REAL, "6a80", 2, "push 0xff80" },
    { REAL, "683412", 3, "push 0x1234" },
    { REAL, "50", 1, "push ax" },
    { REAL, "06", 1, "push es" },
    { REAL, "0fa0", 2, "push fs" },
    { REAL, "fa", 1, "cli" },
    { REAL, "f4", 1, "hlt" },
    { REAL, "e460", 2, "in al, 0x60" },
    { REAL, "b80000", 3, "mov ax, 0" },
    { REAL, "66b878563412", 6, "mov eax, 0x12345678" },
    { REAL, "0f0b", 2, "ud2" },
    { REAL, "0f34", 2, "sysenter" },
    { REAL, "0f05", 2, "syscall" },
    { VM86, "0f00c0", -1, "#UD" },
    { VM86, "63c0", -1, "#UD" },
    { VM86, "cd21", 2, "int 0x21" },
    { VM86, "01c8", 2, "add ax, cx" },
    { P16, "0f00c0", 3, "sldt ax" },
    { P16, "63c0", 2, "arpl ax, ax" },
    { P16, "0f02c1", 3, "lar ax, cx" },
    { P16, "c4e278f2c1", 5, "andn eax, eax, ecx" },
    { P16, "8b00", 2, "mov ax, word ptr [bx + si]" },
    { BIG, "01c8", 2, "add eax, ecx" },
    { BIG, "8b00", 2, "mov eax, dword ptr [eax]" },
    { BIG, "e9fbffffff", 5, "jmp 0x1000" },
    { BIG, "0f00c0", -1, "#UD" },
};

static int parse_hex(const char *s, uint8_t *b, int max)
{
    int n = 0;

    while (*s && n < max) {
        unsigned v;
        if (*s == ' ') {
            s++;
            continue;
        }
        g_assert(sscanf(s, "%2x", &v) == 1);
        b[n++] = v;
        s += 2;
    }
    return n;
}

static const char *mode_name(uint32_t mode)
{
    switch (mode) {
    case M64: return "64-bit";
    case P32: return "prot32";
    case P16: return "prot16";
    case REAL: return "real";
    case VM86: return "vm86";
    case CMP32: return "compat32";
    case CMP16: return "compat16";
    default: return "big-real";
    }
}

/* Fetch one byte per call: the decoder must give the same answer. */
typedef struct Dribble {
    const uint8_t *code;
    unsigned len;
    unsigned calls;
} Dribble;

static int fetch_dribble(void *opaque, unsigned offset, uint8_t *buf, unsigned len)
{
    Dribble *d = opaque;

    d->calls++;
    if (offset >= d->len) {
        return -1;
    }
    buf[0] = d->code[offset];
    return 1;
}

static bool same_insn(const X86Insn *a, const X86Insn *b)
{
    return a->len == b->len && a->opcode == b->opcode && a->num_ops == b->num_ops &&
           !memcmp(a->op, b->op, sizeof(a->op)) && a->flags == b->flags &&
           a->opsize == b->opsize && a->exception == b->exception;
}

static void test_table(void)
{
    unsigned failures = 0, checked = 0;

    for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
        const Enc *t = &table[i];
        uint8_t code[32] = { 0 };
        int n = parse_hex(t->hex, code, 31);
        X86Insn in, exact, dribbled;
        X86DecodeStatus st;
        char text[160];
        bool ok;

        st = x86_decode_buf(t->mode, X86_FEATURES_ALL, PC, code, sizeof(code), &in);
        if (st == X86_DECODE_OK) {
            x86_insn_format(&in, text, sizeof(text));
        } else if (st == X86_DECODE_EXCEPTION) {
            snprintf(text, sizeof(text), "%s", in.exception == X86_EXC_UD ? "#UD" : "#GP");
        } else {
            snprintf(text, sizeof(text), "fetch fault at %u", in.fault_offset);
        }
        ok = !strcmp(text, t->text) && (t->len < 0 || in.len == t->len);
        if (ok && st == X86_DECODE_OK) {
            /* Exactly the bytes the instruction has are enough... */
            Dribble d = { code, in.len, 0 };
            X86DecodeEnv env = { fetch_dribble, &d, t->mode, X86_FEATURES_ALL };
            ok = x86_decode_buf(t->mode, X86_FEATURES_ALL, PC, code, in.len, &exact) ==
                 X86_DECODE_OK && same_insn(&in, &exact);
            /* ...and fetching them one at a time changes nothing. */
            ok = ok && x86_decode(&env, PC, &dribbled) == X86_DECODE_OK &&
                 same_insn(&in, &dribbled) && d.calls == in.len;
            ok = ok && in.len == n;
            if (!ok) {
                snprintf(text + strlen(text), sizeof(text) - strlen(text),
                         " (differs with exact/dribbled fetch or length %d != %d)", in.len, n);
            }
        }
        if (!ok) {
            g_test_message("FAIL %s %s: expected [%d] \"%s\", got [%d] \"%s\"%s%s",
                           mode_name(t->mode), t->hex, t->len, t->text, in.len, text,
                           st == X86_DECODE_OK ? "" : " - ", st == X86_DECODE_OK ? "" : in.why);
            failures++;
        }
        checked++;
    }
    g_test_message("%u encodings checked, %u failures", checked, failures);
    g_assert_cmpuint(failures, ==, 0);
}

static X86Insn dec(uint32_t mode, const char *hex)
{
    uint8_t code[16] = { 0 };
    X86Insn in;

    parse_hex(hex, code, 15);
    g_assert_cmpint(x86_decode_buf(mode, X86_FEATURES_ALL, PC, code, 16, &in), ==,
                    X86_DECODE_OK);
    return in;
}

static X86DecodeStatus dec_st(uint32_t mode, uint64_t feat, const char *hex, X86Insn *in)
{
    uint8_t code[16] = { 0 };

    parse_hex(hex, code, 15);
    return x86_decode_buf(mode, feat, PC, code, 16, in);
}

static void test_fields(void)
{
    X86Insn in;

    /* AH vs SPL: same encoding, REX decides (SDM 3.4.1.1). */
    in = dec(M64, "88e0");
    g_assert_cmpint(in.op[1].kind, ==, X86_OPK_GPR);
    g_assert_cmpint(in.op[1].reg, ==, 0);
    g_assert_true(in.op[1].flags & X86_OPF_HIGH8);
    in = dec(M64, "4088e0");
    g_assert_cmpint(in.op[1].reg, ==, 4);
    g_assert_false(in.op[1].flags & X86_OPF_HIGH8);
    g_assert_true(in.prefixes & X86_PFX_REX);
    /* A legacy prefix after REX cancels it: AH again, 16-bit. */
    in = dec(M64, "406688e0");
    g_assert_true(in.op[1].flags & X86_OPF_HIGH8);
    g_assert_false(in.prefixes & X86_PFX_REX);

    /* Memory operand components. */
    in = dec(M64, "438b448bf0");
    g_assert_cmpint(in.op[1].kind, ==, X86_OPK_MEM);
    g_assert_cmpint(in.op[1].base, ==, 11);
    g_assert_cmpint(in.op[1].index, ==, 9);
    g_assert_cmpint(in.op[1].scale, ==, 4);
    g_assert_cmpint(in.op[1].disp, ==, -16);
    g_assert_cmpint(in.op[1].addr_size, ==, 8);
    g_assert_cmpint(in.op[1].seg, ==, X86_SEG_DS);
    g_assert_cmpint(in.op[1].size, ==, 4);
    /* rBP/rSP bases default to SS, r12/r13 do not. */
    g_assert_cmpint(dec(M64, "8b4500").op[1].seg, ==, X86_SEG_SS);
    g_assert_cmpint(dec(M64, "8b0424").op[1].seg, ==, X86_SEG_SS);
    g_assert_cmpint(dec(M64, "418b4500").op[1].seg, ==, X86_SEG_DS);
    g_assert_cmpint(dec(M64, "418b0424").op[1].seg, ==, X86_SEG_DS);
    g_assert_cmpint(dec(REAL, "8b4602").op[1].seg, ==, X86_SEG_SS);
    g_assert_cmpint(dec(REAL, "8b063412").op[1].seg, ==, X86_SEG_DS);
    g_assert_cmpint(dec(REAL, "8b4602").op[1].addr_size, ==, 2);
    /* Overrides: honoured in legacy modes, only FS/GS in 64-bit mode. */
    in = dec(P32, "368b00");
    g_assert_cmpint(in.op[1].seg, ==, X86_SEG_SS);
    g_assert_true(in.op[1].flags & X86_OPF_SEGOVR);
    g_assert_cmpint(in.seg_override, ==, X86_SEG_SS);
    in = dec(M64, "368b00");
    g_assert_cmpint(in.op[1].seg, ==, X86_SEG_DS);
    g_assert_false(in.op[1].flags & X86_OPF_SEGOVR);
    g_assert_cmpint(in.seg_override, ==, -1);
    g_assert_cmpint(dec(M64, "658b00").op[1].seg, ==, X86_SEG_GS);
    /* String destination is ES:rDI whatever the override. */
    in = dec(P32, "64a5");
    g_assert_cmpint(in.op[0].seg, ==, X86_SEG_ES);
    g_assert_cmpint(in.op[0].base, ==, 7);
    g_assert_cmpint(in.op[1].seg, ==, X86_SEG_FS);
    g_assert_cmpint(in.op[1].base, ==, 6);

    /* RIP-relative: base RIP, EA = next_pc + disp. */
    in = dec(M64, "8b0510000000");
    g_assert_cmpint(in.op[1].base, ==, X86_REG_RIP);
    g_assert_cmpuint(in.next_pc, ==, PC + 6);
    g_assert_cmpuint(x86_rip_relative_ea(&in, &in.op[1]), ==, PC + 6 + 0x10);
    in = dec(M64, "678b05f0ffffff");
    g_assert_cmpuint(x86_rip_relative_ea(&in, &in.op[1]), ==, (uint32_t)(PC + 7 - 0x10));

    /* Immediates: encoded size and extension. */
    in = dec(M64, "4883c0ff");
    g_assert_cmpint(in.op[1].kind, ==, X86_OPK_IMM);
    g_assert_cmpint(in.op[1].size, ==, 1);
    g_assert_cmpuint(in.op[1].imm, ==, UINT64_MAX);
    in = dec(M64, "80c0ff");
    g_assert_cmpuint(in.op[1].imm, ==, 0xff);
    in = dec(M64, "480500000080");
    g_assert_cmpint(in.op[1].size, ==, 4);
    g_assert_cmpuint(in.op[1].imm, ==, 0xffffffff80000000ull);
    in = dec(P32, "0500000080");
    g_assert_cmpuint(in.op[1].imm, ==, 0x80000000u);
    in = dec(M64, "48b8efcdab8967452301");
    g_assert_cmpint(in.op[1].size, ==, 8);
    in = dec(M64, "c8100001");
    g_assert_cmpint(in.num_ops, ==, 2);
    g_assert_cmpuint(in.op[0].imm, ==, 0x10);
    g_assert_cmpuint(in.op[1].imm, ==, 1);
    /* Far pointer: op[0] selector, op[1] offset. */
    in = dec(REAL, "ea5b00 00f0");
    g_assert_cmpuint(in.op[0].imm, ==, 0xf000);
    g_assert_cmpuint(in.op[1].imm, ==, 0x5b);
    g_assert_cmpint(in.op[1].size, ==, 2);

    /* Branch targets wrap at the operand size. */
    {
        uint8_t code[] = { 0xeb, 0x00 };
        g_assert_cmpint(x86_decode_buf(REAL, 0, 0xfffe, code, 2, &in), ==, X86_DECODE_OK);
        g_assert_cmpuint(in.op[0].target, ==, 0);
        g_assert_cmpint(x86_decode_buf(P32, 0, 0xfffffffe, code, 2, &in), ==,
                        X86_DECODE_OK);
        g_assert_cmpuint(in.op[0].target, ==, 0);
        g_assert_cmpuint(in.next_pc, ==, 0);
        g_assert_cmpint(x86_decode_buf(M64, 0, 0xfffffffe, code, 2, &in), ==,
                        X86_DECODE_OK);
        g_assert_cmpuint(in.op[0].target, ==, 0x100000000ull);
    }
    /* 66 on a near branch in 64-bit mode is ignored (Intel): rel32, 64-bit target. */
    in = dec(M64, "66e900000000");
    g_assert_cmpint(in.len, ==, 6);
    g_assert_cmpint(in.data_size, ==, 8);

    /* Sizes. */
    in = dec(M64, "0fb6c1");
    g_assert_cmpint(in.opsize, ==, 4);
    g_assert_cmpint(in.op[1].size, ==, 1);
    g_assert_cmpint(dec(M64, "50").opsize, ==, 8);
    g_assert_cmpint(dec(M64, "6650").opsize, ==, 2);
    g_assert_cmpint(dec(M64, "6a01").opsize, ==, 8);
    g_assert_cmpint(dec(M64, "e680").opsize, ==, 1);
    g_assert_cmpint(dec(M64, "e780").opsize, ==, 4);
    g_assert_cmpint(dec(M64, "0fefc0").opsize, ==, 8);
    g_assert_cmpint(dec(M64, "660fefc0").opsize, ==, 16);
    g_assert_cmpint(dec(M64, "0f2ac1").opsize, ==, 16);
    g_assert_cmpint(dec(M64, "dd00").opsize, ==, 8);
    g_assert_cmpint(dec(M64, "d8c1").opsize, ==, 10);
    g_assert_cmpint(dec(M64, "d930").op[0].size, ==, 28);
    g_assert_cmpint(dec(P16, "d930").op[0].size, ==, 14);
    g_assert_cmpint(dec(M64, "dd30").op[0].size, ==, 108);
    g_assert_cmpint(dec(REAL, "dd30").op[0].size, ==, 94);
    g_assert_cmpint(dec(M64, "0fae00").op[0].size, ==, 512);
    g_assert_cmpint(dec(M64, "0fae20").op[0].size, ==, 0);
    g_assert_cmpint(dec(M64, "0f0110").op[0].size, ==, 10);
    g_assert_cmpint(dec(P32, "0f0110").op[0].size, ==, 6);
    g_assert_cmpint(dec(M64, "0f20c0").op[0].size, ==, 8);
    g_assert_cmpint(dec(REAL, "0f20c0").op[0].size, ==, 4);
    g_assert_cmpint(dec(M64, "67e3fe").addr_size, ==, 4);
    g_assert_cmpint(dec(REAL, "67e3fe").addr_size, ==, 4);
    g_assert_cmpint(dec(REAL, "e3fe").addr_size, ==, 2);
    g_assert_cmpint(dec(M64, "0f94c0").cc, ==, 4);
    g_assert_cmpint(dec(M64, "0f4fc1").cc, ==, 15);
    g_assert_cmpint(dec(M64, "7102").cc, ==, 1);

    /* Operand access. */
    in = dec(M64, "0100");
    g_assert_cmpint(in.op[0].access, ==, X86_ACC_READ | X86_ACC_WRITE);
    g_assert_cmpint(in.op[1].access, ==, X86_ACC_READ);
    g_assert_cmpint(dec(M64, "8900").op[0].access, ==, X86_ACC_WRITE);
    g_assert_cmpint(dec(M64, "3900").op[0].access, ==, X86_ACC_READ);
    in = dec(M64, "8700");
    g_assert_cmpint(in.op[0].access, ==, X86_ACC_READ | X86_ACC_WRITE);
    g_assert_cmpint(in.op[1].access, ==, X86_ACC_READ | X86_ACC_WRITE);
    g_assert_cmpint(dec(M64, "8d00").op[1].access, ==, 0);
    g_assert_cmpint(dec(M64, "0f1800").op[0].access, ==, 0);
    g_assert_cmpint(dec(M64, "0f1f00").op[0].access, ==, 0);
    g_assert_cmpint(dec(M64, "0f0138").op[0].access, ==, 0);

    /* Prefix and encoding bookkeeping. */
    in = dec(M64, "f3660f58c1");
    g_assert_cmpint(in.prefixes, ==, X86_PFX_REPZ | X86_PFX_OPSIZE);
    g_assert_cmpint(in.map, ==, 1);
    g_assert_cmpint(in.opbyte, ==, 0x58);
    in = dec(M64, "660f3a0fc104");
    g_assert_cmpint(in.map, ==, 3);
    in = dec(M64, "c4e278f2c1");
    g_assert_true(in.prefixes & X86_PFX_VEX);
    g_assert_cmpint(in.map, ==, 2);
    g_assert_cmpint(in.opcode, ==, X86_OP_ANDN);
    in = dec(M64, "4c01c8");
    g_assert_cmpint(in.rex, ==, X86_REX_W | X86_REX_R);
    g_assert_cmpint(in.modrm, ==, 0xc8);
    g_assert_cmpmem(in.bytes, 3, "\x4c\x01\xc8", 3);
}

static void test_flags(void)
{
    static const struct {
        uint32_t mode;
        const char *hex;
        uint32_t set;
        uint32_t clear;
    } cases[] = {
        { M64, "0100", X86_INSN_LOCKABLE, X86_INSN_LOCK | X86_INSN_END_TB },
        { M64, "f00100", X86_INSN_LOCKABLE | X86_INSN_LOCK, 0 },
        { M64, "8700", X86_INSN_LOCK, 0 },
        { M64, "87c0", 0, X86_INSN_LOCK },
        { M64, "8900", 0, X86_INSN_LOCKABLE },
        { M64, "ebfe", X86_INSN_BRANCH | X86_INSN_END_TB, X86_INSN_COND | X86_INSN_INDIRECT },
        { M64, "7400", X86_INSN_BRANCH | X86_INSN_COND | X86_INSN_END_TB, 0 },
        { M64, "ffe0", X86_INSN_BRANCH | X86_INSN_INDIRECT | X86_INSN_END_TB, 0 },
        { M64, "e800000000", X86_INSN_BRANCH | X86_INSN_STACK | X86_INSN_END_TB, 0 },
        { M64, "c3", X86_INSN_BRANCH | X86_INSN_INDIRECT | X86_INSN_STACK, 0 },
        { M64, "e2fe", X86_INSN_COND | X86_INSN_END_TB, 0 },
        { M64, "cd80", X86_INSN_END_TB | X86_INSN_VM86_IOPL, 0 },
        { M64, "cc", X86_INSN_END_TB, X86_INSN_VM86_IOPL },
        { M64, "cf", X86_INSN_END_TB | X86_INSN_VM86_IOPL, 0 },
        { M64, "f4", X86_INSN_PRIV | X86_INSN_END_TB, 0 },
        { M64, "fa", X86_INSN_IOPL | X86_INSN_END_TB, X86_INSN_PRIV },
        { M64, "fb", X86_INSN_IOPL | X86_INSN_END_TB, 0 },
        { M64, "9d", X86_INSN_END_TB | X86_INSN_VM86_IOPL | X86_INSN_STACK, 0 },
        { M64, "9c", X86_INSN_VM86_IOPL | X86_INSN_STACK, X86_INSN_END_TB },
        { M64, "8ed0", X86_INSN_END_TB | X86_INSN_SEG_LOAD, 0 },
        { M64, "8ed8", X86_INSN_SEG_LOAD, X86_INSN_END_TB },
        { P32, "17", X86_INSN_END_TB | X86_INSN_SEG_LOAD, 0 },
        { P32, "1f", X86_INSN_SEG_LOAD, X86_INSN_END_TB },
        { P32, "9a000000000800", X86_INSN_END_TB | X86_INSN_BRANCH, 0 },
        { M64, "ff18", X86_INSN_END_TB | X86_INSN_INDIRECT, 0 },
        { M64, "0f22c0", X86_INSN_PRIV | X86_INSN_END_TB, 0 },
        { M64, "0f20c0", X86_INSN_PRIV, X86_INSN_END_TB },
        { M64, "0f23f8", X86_INSN_PRIV | X86_INSN_END_TB, 0 },
        { M64, "0f30", X86_INSN_PRIV | X86_INSN_END_TB, 0 },
        { M64, "0f32", X86_INSN_PRIV, X86_INSN_END_TB },
        { M64, "0f01f0", X86_INSN_PRIV | X86_INSN_END_TB, 0 },
        { M64, "0f06", X86_INSN_PRIV | X86_INSN_END_TB, 0 },
        { M64, "0f0138", X86_INSN_PRIV | X86_INSN_END_TB, 0 },
        { M64, "0f0110", X86_INSN_PRIV, 0 },
        { M64, "0f0100", X86_INSN_PRIV_COND, X86_INSN_PRIV },
        { M64, "0f01f8", X86_INSN_PRIV, 0 },
        { M64, "0f01d1", X86_INSN_PRIV | X86_INSN_END_TB, 0 },
        { M64, "0f01d0", 0, X86_INSN_PRIV | X86_INSN_PRIV_COND },
        { M64, "0f31", X86_INSN_PRIV_COND, X86_INSN_PRIV },
        { M64, "0f33", X86_INSN_PRIV_COND, 0 },
        { M64, "0fa2", 0, X86_INSN_PRIV | X86_INSN_END_TB },
        { M64, "0f05", X86_INSN_END_TB | X86_INSN_BRANCH, X86_INSN_PRIV },
        { M64, "0f07", X86_INSN_END_TB | X86_INSN_PRIV, 0 },
        { M64, "660f3882 00", X86_INSN_PRIV | X86_INSN_END_TB, 0 },
        { M64, "ec", X86_INSN_IO, X86_INSN_IOPL },
        { M64, "f36c", X86_INSN_IO | X86_INSN_REP, X86_INSN_REPNZ },
        { M64, "f2a6", X86_INSN_REP | X86_INSN_REPNZ, 0 },
        { M64, "f3a6", X86_INSN_REP, X86_INSN_REPNZ },
        { M64, "f2a4", X86_INSN_REP, X86_INSN_REPNZ },
        { M64, "f30100", 0, X86_INSN_REP },
        { M64, "d8c1", X86_INSN_X87, X86_INSN_SSE | X86_INSN_MMX },
        { M64, "9b", X86_INSN_X87, 0 },
        { M64, "0fae00", X86_INSN_X87 | X86_INSN_ALIGN16, 0 },
        { M64, "0fae10", X86_INSN_SSE, X86_INSN_X87 },
        { M64, "0fefc0", X86_INSN_MMX, X86_INSN_SSE },
        { M64, "0f77", X86_INSN_MMX, 0 },
        { M64, "0f2ac1", X86_INSN_MMX | X86_INSN_SSE, 0 },
        { M64, "660fef00", X86_INSN_SSE | X86_INSN_ALIGN16, X86_INSN_MMX },
        { M64, "0f2800", X86_INSN_ALIGN16, 0 },
        { M64, "0f1000", 0, X86_INSN_ALIGN16 },
        { M64, "f30f6f00", 0, X86_INSN_ALIGN16 },
        { M64, "f20ff000", 0, X86_INSN_ALIGN16 },
        { M64, "f30f1000", 0, X86_INSN_ALIGN16 },
        { M64, "660f3a6300 00", 0, X86_INSN_ALIGN16 },
        { M64, "f0480fc708", X86_INSN_ALIGN16 | X86_INSN_LOCK, 0 },
        { M64, "0fc708", 0, X86_INSN_ALIGN16 },
        { M64, "0fae20", X86_INSN_ALIGN64, 0 },
        { M64, "50", X86_INSN_STACK, X86_INSN_END_TB },
        { M64, "0f0b", X86_INSN_END_TB, 0 },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        X86Insn in = dec(cases[i].mode, cases[i].hex);
        if ((in.flags & cases[i].set) != cases[i].set || (in.flags & cases[i].clear)) {
            g_test_message("%s: flags 0x%x, want set 0x%x clear 0x%x", cases[i].hex,
                           in.flags, cases[i].set, cases[i].clear);
            g_assert_not_reached();
        }
    }
}

static void test_features(void)
{
    static const struct {
        const char *hex;
        X86Feature feat;
    } gated[] = {
        { "0f58c1", X86_FEAT_SSE }, { "660f58c1", X86_FEAT_SSE2 },
        { "0fefc0", X86_FEAT_MMX }, { "f20f7cc1", X86_FEAT_SSE3 },
        { "660f3800c1", X86_FEAT_SSSE3 }, { "660f3817c1", X86_FEAT_SSE41 },
        { "f20f38f1c1", X86_FEAT_SSE42 }, { "660f3a44c100", X86_FEAT_PCLMULQDQ },
        { "660f38dcc1", X86_FEAT_AES }, { "f30fb8c1", X86_FEAT_POPCNT },
        { "0f38f000", X86_FEAT_MOVBE }, { "660f38f6c1", X86_FEAT_ADX },
        { "0fc7f0", X86_FEAT_RDRAND }, { "0fc7f8", X86_FEAT_RDSEED },
        { "f30faec0", X86_FEAT_FSGSBASE }, { "c4e278f2c1", X86_FEAT_BMI1 },
        { "c4e27bf6c1", X86_FEAT_BMI2 }, { "0f40c1", X86_FEAT_CMOV },
        { "dac1", X86_FEAT_CMOV }, { "0fc708", X86_FEAT_CX8 },
        { "480fc708", X86_FEAT_CX16 }, { "0fae00", X86_FEAT_FXSR },
        { "0fae20", X86_FEAT_XSAVE }, { "0f01d0", X86_FEAT_XSAVE },
        { "0fae30", X86_FEAT_XSAVEOPT }, { "0fc720", X86_FEAT_XSAVEC },
        { "0fc728", X86_FEAT_XSAVES }, { "0fae38", X86_FEAT_CLFLUSH },
        { "660fae38", X86_FEAT_CLFLUSHOPT }, { "660fae30", X86_FEAT_CLWB },
        { "0f01c8", X86_FEAT_MONITOR }, { "0f01ca", X86_FEAT_SMAP },
        { "660f388200", X86_FEAT_INVPCID }, { "f30fc7f8", X86_FEAT_RDPID },
        { "0f01ee", X86_FEAT_PKU }, { "0f05", X86_FEAT_SYSCALL },
        { "0f34", X86_FEAT_SEP }, { "0f01f9", X86_FEAT_RDTSCP },
        { "0f31", X86_FEAT_TSC }, { "0f32", X86_FEAT_MSR },
        { "0f0d08", X86_FEAT_PREFETCHW }, { "9f", X86_FEAT_LAHF_LM },
        { "db08", X86_FEAT_SSE3 }, { "0fae10", X86_FEAT_SSE },
    };
    X86Insn in;

    for (size_t i = 0; i < ARRAY_SIZE(gated); i++) {
        uint64_t without = X86_FEATURES_ALL & ~X86_FEATURE_BIT(gated[i].feat);
        g_assert_cmpint(dec_st(M64, X86_FEATURES_ALL, gated[i].hex, &in), ==, X86_DECODE_OK);
        if (dec_st(M64, without, gated[i].hex, &in) != X86_DECODE_EXCEPTION ||
            in.exception != X86_EXC_UD) {
            g_test_message("%s decodes without %s", gated[i].hex,
                           x86_feature_name(gated[i].feat));
            g_assert_not_reached();
        }
        g_assert_nonnull(strstr(in.why, x86_feature_name(gated[i].feat)));
    }
    /* LAHF/SAHF need lahf-lm only in 64-bit mode. */
    g_assert_cmpint(dec_st(P32, 0, "9f", &in), ==, X86_DECODE_OK);
    /* Without BMI1/ABM, F3 0F BC/BD are BSF/BSR (the F3 is ignored). */
    g_assert_cmpint(dec_st(M64, X86_FEATURES_ALL & ~X86_FEATURE_BIT(X86_FEAT_BMI1),
                           "f30fbcc1", &in), ==, X86_DECODE_OK);
    g_assert_cmpint(in.opcode, ==, X86_OP_BSF);
    g_assert_cmpint(dec_st(M64, X86_FEATURES_ALL & ~X86_FEATURE_BIT(X86_FEAT_ABM),
                           "f30fbdc1", &in), ==, X86_DECODE_OK);
    g_assert_cmpint(in.opcode, ==, X86_OP_BSR);
    /* LOCK MOV CR0 is CR8 only with cr8legacy. */
    g_assert_cmpint(dec_st(P32, X86_FEATURES_ALL & ~X86_FEATURE_BIT(X86_FEAT_CR8LEGACY),
                           "f00f20c0", &in), ==, X86_DECODE_EXCEPTION);
    /* The integer core needs no feature at all. */
    g_assert_cmpint(dec_st(M64, 0, "4801c8", &in), ==, X86_DECODE_OK);
    g_assert_cmpint(dec_st(M64, 0, "0fa2", &in), ==, X86_DECODE_OK);

    /* Building the bitmap from CPUID words. */
    g_assert_cmphex(x86_decode_features_from_cpuid(1u << 26, 1u << 19, 1u << 3, 0, 0,
                                                   1u << 11, 1u << 5), ==,
                    X86_FEATURE_BIT(X86_FEAT_SSE2) | X86_FEATURE_BIT(X86_FEAT_SSE41) |
                    X86_FEATURE_BIT(X86_FEAT_BMI1) | X86_FEATURE_BIT(X86_FEAT_SYSCALL) |
                    X86_FEATURE_BIT(X86_FEAT_ABM));
}

typedef struct FaultAt {
    const uint8_t *code;
    unsigned fail_at;
} FaultAt;

static int fetch_fail_at(void *opaque, unsigned offset, uint8_t *buf, unsigned len)
{
    FaultAt *f = opaque;

    if (offset >= f->fail_at) {
        return -14;
    }
    if (len > f->fail_at - offset) {
        len = f->fail_at - offset;
    }
    memcpy(buf, f->code + offset, len);
    return len;
}

/* A fetch failing at byte k of a valid instruction is reported at k. */
static void test_fetch_faults(void)
{
    unsigned checked = 0;

    for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
        uint8_t code[32] = { 0 };
        X86Insn in, f;

        parse_hex(table[i].hex, code, 31);
        if (x86_decode_buf(table[i].mode, X86_FEATURES_ALL, PC, code, 32, &in) !=
            X86_DECODE_OK) {
            continue;
        }
        for (unsigned k = 0; k < in.len; k++) {
            FaultAt fa = { code, k };
            X86DecodeEnv env = { fetch_fail_at, &fa, table[i].mode, X86_FEATURES_ALL };
            g_assert_cmpint(x86_decode(&env, PC, &f), ==, X86_DECODE_FETCH_FAULT);
            g_assert_cmpuint(f.fault_offset, ==, k);
            g_assert_cmpint(f.fault_error, ==, -14);
            checked++;
        }
    }
    g_test_message("%u fault positions checked", checked);
    g_assert_cmpuint(checked, >, 1000);
}

static double cpu_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Decoding runs for every translated instruction: measure it. */
static void test_speed(void)
{
    enum { N = 4096 };
    static uint8_t code[N][16];
    static uint32_t modes[N];
    GRand *r = g_rand_new_with_seed(42);
    unsigned n = 0;
    uint64_t decoded = 0, sum = 0;
    double t0, t1;
    X86Insn in;

    /* The hand-written table, repeated: a mix of common and rare forms. */
    while (n < N) {
        const Enc *t = &table[g_rand_int_range(r, 0, ARRAY_SIZE(table))];
        memset(code[n], 0, 16);
        parse_hex(t->hex, code[n], 15);
        modes[n] = t->mode;
        if (x86_decode_buf(t->mode, X86_FEATURES_ALL, PC, code[n], 16, &in) == X86_DECODE_OK) {
            n++;
        }
    }
    /* CPU time, not wall time: the test machine may be busy. */
    t0 = cpu_seconds();
    do {
        for (unsigned i = 0; i < N; i++) {
            x86_decode_buf(modes[i], X86_FEATURES_ALL, PC, code[i], 16, &in);
            sum += in.len;
        }
        decoded += N;
        t1 = cpu_seconds();
    } while (t1 - t0 < 0.3);
    g_test_message("decoded %" PRIu64 " instructions in %.3f s of CPU: %.1f M "
                   "instructions/s (%.0f ns each)", decoded, t1 - t0,
                   decoded / (t1 - t0) / 1e6, (t1 - t0) * 1e9 / decoded);
    g_assert_cmpuint(sum, >, 0);
    g_rand_free(r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/x86-decode/table", test_table);
    g_test_add_func("/x86-decode/fields", test_fields);
    g_test_add_func("/x86-decode/flags", test_flags);
    g_test_add_func("/x86-decode/features", test_features);
    g_test_add_func("/x86-decode/fetch-faults", test_fetch_faults);
    g_test_add_func("/x86-decode/speed", test_speed);
    return g_test_run();
}
