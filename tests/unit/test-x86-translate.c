/*
 * The x86 translator without the execution engine:
 *  - IR shape: small code buffers translated to TCG ops (tcg_dump_ops_str) for
 *    a few instructions whose lowering matters (lazy flags, RIP-relative
 *    loads with the MMU index, Jcc on a compare, #UD for the unimplemented);
 *  - differential execution: register-only instruction sequences run natively
 *    on this host (the oracle) and through translate -> tcg_gen_code -> run on
 *    the native backend and on tci, with random operands; registers and every
 *    defined flag must agree (x86-native.h runs the native side). A tiny TB
 *    loop follows goto_tb exits, so Jcc, LOOP and JRCXZ are checked too.
 */
#include "util/osdep.h"
#include "qom/object.h"
#include "tcg/tcg-op.h"
#include "target/i386/decode.h"
#include "target/i386/tcg/tcg-internal.h"
#include "x86-native.h"

typedef struct CodeBuf {
    const uint8_t *code;
    size_t len;
    uint64_t base;
} CodeBuf;

static int buf_fetch(void *opaque, uint64_t pc)
{
    CodeBuf *b = opaque;
    if (pc < b->base || pc >= b->base + b->len) {
        return -1;
    }
    return b->code[pc - b->base];
}

static X86CPU *cpu;
static TCGContext *ctx_native, *ctx_tci;

#define HF_LONG64 (HF_PE_MASK | HF_LMA_MASK | HF_CS64_MASK | HF_CS32_MASK | \
                   HF_SS32_MASK | HF_PG_MASK)

static void translate(TranslationBlock *tb, CodeBuf *b, uint64_t pc, int max_insns)
{
    memset(tb, 0, sizeof(*tb));
    tb->pc = pc;
    tb->flags = HF_LONG64;
    tcg_func_start(tcg_ctx);
    x86_translate_code_fetch(CPU(cpu), tb, max_insns, buf_fetch, b);
}

static char *ir_of(const uint8_t *code, size_t len, int max_insns)
{
    static TranslationBlock tb __attribute__((aligned(8)));
    CodeBuf b = { code, len, 0x400000 };
    tcg_set_ctx(ctx_tci);
    translate(&tb, &b, b.base, max_insns);
    GString *s = tcg_dump_ops_str(tcg_ctx, false);
    if (g_test_verbose()) {
        g_test_message("%s", s->str);
    }
    return g_string_free(s, false);
}

static void test_ir_add(void)
{
    static const uint8_t code[] = { 0x48, 0x01, 0xd8 };    /* add rax, rbx */
    g_autofree char *ir = ir_of(code, sizeof(code), 1);
    g_assert_nonnull(strstr(ir, "add_i64"));
    g_assert_nonnull(strstr(ir, "mov_i64 rax,"));
    g_assert_nonnull(strstr(ir, "mov_i64 cc_dst,"));
    g_assert_nonnull(strstr(ir, "mov_i64 cc_src,"));
    g_assert_nonnull(strstr(ir, "mov_i32 cc_op,$0x4"));    /* CC_OP_ADDQ */
    g_assert_nonnull(strstr(ir, "---- 0000000000400000"));   /* insn_start */
    g_assert_nonnull(strstr(ir, "goto_tb"));
    g_assert_null(strstr(ir, "call"));           /* lazy flags: no helper */
}

static void test_ir_riprel_load(void)
{
    /* mov rax, [rip + 0x10]: the address is a constant, 64-bit load, kernel MMU index */
    static const uint8_t code[] = { 0x48, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00 };
    g_autofree char *ir = ir_of(code, sizeof(code), 1);
    g_assert_nonnull(strstr(ir, "qemu_ld_i64"));
    g_assert_nonnull(strstr(ir, "$0x400017"));
    g_assert_nonnull(strstr(ir, "uq,0"));
}

static void test_ir_cmp_jcc(void)
{
    /* cmp rax, rbx; jl +0x10: the branch compares the operands, no flags helper */
    static const uint8_t code[] = { 0x48, 0x39, 0xd8, 0x7c, 0x10 };
    g_autofree char *ir = ir_of(code, sizeof(code), 4);
    g_assert_nonnull(strstr(ir, "brcond"));
    g_assert_null(strstr(ir, "cc_compute_all"));
    /* both targets */
    g_assert_nonnull(strstr(ir, "$0x400005"));
    g_assert_nonnull(strstr(ir, "$0x400015"));
}

static void test_ir_unimp(void)
{
    static const uint8_t code[] = { 0x0f, 0xc7, 0x28 };   /* xsaves [rax]: not done */
    g_autofree char *ir = ir_of(code, sizeof(code), 1);
    g_assert_nonnull(strstr(ir, "raise_exception"));
    g_assert_nonnull(strstr(ir, "$0x6"));
}

/* ---- differential execution (the native side is x86-native.c) ---- */

#define ARITH (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF)
#define UND_ALL ARITH

typedef struct Case {
    const char *name;
    uint8_t code[32];
    uint8_t len;
    uint32_t undef;     /* flags the SDM leaves undefined here */
    uint8_t cl_max;     /* if non-zero: RCX = random % cl_max */
    bool need_bmi;
} Case;

#define C(n, u, ...) { n, { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }), u, 0, false }
#define CC(n, u, m, ...) { n, { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }), u, m, false }
#define CB(n, u, ...) { n, { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }), u, 0, true }

static const Case cases[] = {
    C("add rax,rbx", 0, 0x48, 0x01, 0xd8),
    C("adc rcx,rdx", 0, 0x48, 0x11, 0xd1),
    C("sub eax,ebx", 0, 0x29, 0xd8),
    C("sbb ax,bx", 0, 0x66, 0x19, 0xd8),
    C("add ah,bl; adc bh,cl", 0, 0x00, 0xdc, 0x10, 0xcf),
    C("and al,bl", RFLAGS_AF, 0x20, 0xd8),
    C("or r9,r10", RFLAGS_AF, 0x4d, 0x09, 0xd1),
    C("xor esi,edi", RFLAGS_AF, 0x31, 0xfe),
    C("add eax,imm; sub rbx,imm8", 0, 0x05, 0x78, 0x56, 0x34, 0x12, 0x48, 0x83, 0xeb, 0x80),
    C("cmp rax,rbx; setl cl; setb dl; setbe r8b; setg r9b", 0,
      0x48, 0x39, 0xd8, 0x0f, 0x9c, 0xc1, 0x0f, 0x92, 0xc2, 0x41, 0x0f, 0x96, 0xc0,
      0x41, 0x0f, 0x9f, 0xc1),
    C("cmp al,bl; seto cl; setp dl; setle r8b; setns r9b", 0,
      0x38, 0xd8, 0x0f, 0x90, 0xc1, 0x0f, 0x9a, 0xc2, 0x41, 0x0f, 0x9e, 0xc0,
      0x41, 0x0f, 0x99, 0xc1),
    C("test rax,rax; cmove rcx,rbx; cmovs edx,esi; cmovg r8,r9", RFLAGS_AF,
      0x48, 0x85, 0xc0, 0x48, 0x0f, 0x44, 0xcb, 0x0f, 0x48, 0xd6, 0x4d, 0x0f, 0x4f, 0xc1),
    C("add eax,ebx; seta cl; setge dl; setz r8b", 0,
      0x01, 0xd8, 0x0f, 0x97, 0xc1, 0x0f, 0x9d, 0xc2, 0x41, 0x0f, 0x94, 0xc0),
    C("inc rax; dec ecx; neg rdx; not al", 0,
      0x48, 0xff, 0xc0, 0xff, 0xc9, 0x48, 0xf7, 0xda, 0xf6, 0xd0),
    C("inc bl; setb cl; dec si; seto dl", 0,
      0xfe, 0xc3, 0x0f, 0x92, 0xc1, 0x66, 0xff, 0xce, 0x0f, 0x90, 0xc2),
    CC("shl rax,cl", RFLAGS_AF | RFLAGS_OF, 80, 0x48, 0xd3, 0xe0),
    CC("shr edx,cl; setc bl", RFLAGS_AF | RFLAGS_OF, 40, 0xd3, 0xea, 0x0f, 0x92, 0xc3),
    CC("sar bx,cl", RFLAGS_AF | RFLAGS_OF, 16, 0x66, 0xd3, 0xfb),
    C("sar ebx,5; shl al,1; shr r9w,1", RFLAGS_AF,
      0xc1, 0xfb, 0x05, 0xd0, 0xe0, 0x66, 0x41, 0xd1, 0xe9),
    C("shl rdx,0; shr eax,0", 0, 0x48, 0xc1, 0xe2, 0x00, 0xc1, 0xe8, 0x00),
    CC("rol rax,cl", RFLAGS_OF, 70, 0x48, 0xd3, 0xc0),
    CC("rcr bl,cl", RFLAGS_OF, 40, 0xd2, 0xdb),
    CC("rcl si,cl", RFLAGS_OF, 40, 0x66, 0xd3, 0xd6),
    C("ror edx,1; rol r8b,3", RFLAGS_OF, 0xd1, 0xca, 0x41, 0xc0, 0xc0, 0x03),
    /* Immediate ROL/ROR of 32/64-bit operands are inline (translate-alu.c). */
    C("rol rcx,1; ror esi,1", 0, 0x48, 0xd1, 0xc1, 0xd1, 0xce),
    C("rol eax,5; ror rbx,13", RFLAGS_OF, 0xc1, 0xc0, 0x05, 0x48, 0xc1, 0xcb, 0x0d),
    C("rol r9d,31; ror r10,63; rol edx,33", RFLAGS_OF,
      0x41, 0xc1, 0xc1, 0x1f, 0x49, 0xc1, 0xca, 0x3f, 0xc1, 0xc2, 0x21),
    C("ror rdx,64; rol eax,32", 0, 0x48, 0xc1, 0xca, 0x40, 0xc1, 0xc0, 0x20),
    C("add rax,rbx; rol eax,7; adc rcx,rdx; ror r8,3; sbb esi,edi", 0,
      0x48, 0x01, 0xd8, 0xc1, 0xc0, 0x07, 0x48, 0x11, 0xd1, 0x49, 0xc1, 0xc8, 0x03,
      0x19, 0xfe),
    CC("shld rax,rbx,cl", RFLAGS_AF | RFLAGS_OF, 64, 0x48, 0x0f, 0xa5, 0xd8),
    C("shrd edx,ecx,7", RFLAGS_AF | RFLAGS_OF, 0x0f, 0xac, 0xca, 0x07),
    C("imul rax,rbx", RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_PF, 0x48, 0x0f, 0xaf, 0xc3),
    C("imul ecx,edx,1234", RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_PF,
      0x69, 0xca, 0xd2, 0x04, 0x00, 0x00),
    C("imul si,di,-3", RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_PF,
      0x66, 0x6b, 0xf7, 0xfd),
    C("mul rbx", RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_PF, 0x48, 0xf7, 0xe3),
    C("imul rcx", RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_PF, 0x48, 0xf7, 0xe9),
    C("mul cx", RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_PF, 0x66, 0xf7, 0xe1),
    C("imul bl", RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_PF, 0xf6, 0xeb),
    C("mul esi", RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_PF, 0xf7, 0xe6),
    C("bt rax,rbx; setc cl", RFLAGS_OF | RFLAGS_SF | RFLAGS_AF | RFLAGS_PF,
      0x48, 0x0f, 0xa3, 0xd8, 0x0f, 0x92, 0xc1),
    C("bts ecx,3; btr rdx,63; btc si,bx", RFLAGS_OF | RFLAGS_SF | RFLAGS_AF | RFLAGS_PF,
      0x0f, 0xba, 0xe9, 0x03, 0x48, 0x0f, 0xba, 0xf2, 0x3f, 0x66, 0x0f, 0xbb, 0xde),
    C("bsf rax,rbx", UND_ALL & ~RFLAGS_ZF, 0x48, 0x0f, 0xbc, 0xc3),
    C("bsr ecx,edx", UND_ALL & ~RFLAGS_ZF, 0x0f, 0xbd, 0xca),
    CB("tzcnt rax,rbx", UND_ALL & ~(RFLAGS_ZF | RFLAGS_CF), 0xf3, 0x48, 0x0f, 0xbc, 0xc3),
    CB("lzcnt cx,dx", UND_ALL & ~(RFLAGS_ZF | RFLAGS_CF), 0x66, 0xf3, 0x0f, 0xbd, 0xca),
    C("popcnt r8,r9", 0, 0xf3, 0x4d, 0x0f, 0xb8, 0xc1),
    C("bswap eax; bswap rbx", 0, 0x0f, 0xc8, 0x48, 0x0f, 0xcb),
    C("xchg rax,rbx; xchg ecx,edx; xchg sil,dil", 0,
      0x48, 0x93, 0x87, 0xd1, 0x40, 0x86, 0xfe),
    C("xadd rcx,rdx", 0, 0x48, 0x0f, 0xc1, 0xd1),
    C("cmpxchg rbx,rcx", 0, 0x48, 0x0f, 0xb1, 0xcb),
    C("cmpxchg ebx,ecx", 0, 0x0f, 0xb1, 0xcb),
    C("cmpxchg bl,cl", 0, 0x0f, 0xb0, 0xcb),
    C("cbw; cwd", 0, 0x66, 0x98, 0x66, 0x99),
    C("cwde; cdq", 0, 0x98, 0x99),
    C("cdqe; cqo", 0, 0x48, 0x98, 0x48, 0x99),
    C("movzx eax,bl; movsx rcx,dx; movsxd rsi,edi; movzx r8d,sil; movsx edx,bh", 0,
      0x0f, 0xb6, 0xc3, 0x48, 0x0f, 0xbf, 0xca, 0x48, 0x63, 0xf7, 0x44, 0x0f, 0xb6, 0xc6,
      0x0f, 0xbe, 0xd7),
    C("lea rax,[rbx+rcx*4+0x10]; lea edx,[rsi+rdi]; lea r8w,[r9-1]", 0,
      0x48, 0x8d, 0x44, 0x8b, 0x10, 0x8d, 0x14, 0x3e, 0x66, 0x45, 0x8d, 0x41, 0xff),
    C("mov ah,bl; mov r8b,sil; mov ecx,edx; mov rsi,imm64", 0,
      0x88, 0xdc, 0x41, 0x88, 0xf0, 0x89, 0xd1, 0x48, 0xbe, 1, 2, 3, 4, 5, 6, 7, 0x88),
    C("add al,bl; lahf; sahf", 0, 0x00, 0xd8, 0x9f, 0x9e),
    C("mov ah,cl; sahf; cmc; adc rax,rbx", 0, 0x88, 0xcc, 0x9e, 0xf5, 0x48, 0x11, 0xd8),
    C("stc; adc edx,esi; clc; sbb ecx,edi", 0, 0xf9, 0x11, 0xf2, 0xf8, 0x19, 0xf9),
    /* Branches inside the sequence: the test's TB loop follows them. */
    C("cmp rax,rbx; jl +3; inc rcx; inc rdx", 0,
      0x48, 0x39, 0xd8, 0x7c, 0x03, 0x48, 0xff, 0xc1, 0x48, 0xff, 0xc2),
    C("test al,1; jz +2; neg rbx; setnz cl", 0,
      0xa8, 0x01, 0x74, 0x03, 0x48, 0xf7, 0xdb, 0x0f, 0x95, 0xc1),
    C("sub rdx,rsi; jbe +3; inc r8; ja +0", 0,
      0x48, 0x29, 0xf2, 0x76, 0x03, 0x49, 0xff, 0xc0, 0x77, 0x00),
    /* LOOP with RCX = 0 runs 2^64 times: the harness keeps RCX in 1..20 here. */
    CC("loop: add rax,rbx; loop -5", 0, 20, 0x48, 0x01, 0xd8, 0xe2, 0xfb),
    CC("jrcxz +3; inc rax; inc rbx", 0, 3, 0xe3, 0x03, 0x48, 0xff, 0xc0, 0x48, 0xff, 0xc3),
};

static bool host_has_bmi(void)
{
    return x86_native_host_has(X86_FEAT_BMI1) && x86_native_host_has(X86_FEAT_ABM);
}

/* Run the case through TCG: TBs from RIP until it leaves the code. */
static void tcg_run(TCGContext *s, const Case *c, CodeBuf *b, X86NativeRegs *regs)
{
    static TranslationBlock tb __attribute__((aligned(8)));
    CPUX86State *env = &cpu->env;

    tcg_set_ctx(s);
    memcpy(env->regs, regs->r, sizeof(regs->r));
    x86_cpu_set_rflags(env, regs->flags);
    env->rip = b->base;
    env->exit_request = 0;
    for (int guard = 0; env->rip >= b->base && env->rip < b->base + c->len; guard++) {
        g_assert_cmpint(guard, <, 10000);
        translate(&tb, b, env->rip, 512);
        int n = tcg_gen_code(s, &tb.tc);
        g_assert_cmpint(n, >, 0);
        uintptr_t ret = tcg_tb_exec(s, env, tb.tc.tc_ptr);
        g_assert_cmpuint(ret & ~(uintptr_t)TB_EXIT_MASK, ==, (uintptr_t)&tb);
        tcg_code_buffer_reset(s);
    }
    memcpy(regs->r, env->regs, sizeof(regs->r));
    regs->flags = x86_cpu_get_rflags(env);
}

static void test_exec_backend(TCGContext *s)
{
    bool bmi = host_has_bmi();
    GRand *r = g_rand_new_with_seed(42);
    unsigned long compared = 0;

    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        const Case *c = &cases[i];
        if (c->need_bmi && !bmi) {
            continue;
        }
        CodeBuf b = { c->code, c->len, 0x1000 };
        for (int it = 0; it < 400; it++) {
            X86NativeRegs in, want, got;
            X86NativeFault f;
            x86_native_regs_random(r, &in);
            if (c->cl_max) {
                in.r[R_ECX] = g_rand_int_range(r, 0, c->cl_max);
                if (c->code[c->len - 2] == 0xe2) {
                    in.r[R_ECX] += 1;
                }
            }
            want = in;
            x86_native_run(&want, c->code, c->len, &f);
            g_assert_cmpint(f.vector, ==, -1);
            got = in;
            tcg_run(s, c, &b, &got);
            compared++;
            g_autofree char *what = g_strdup_printf(
                "%s (%s): in flags 0x%" PRIx64 " rcx 0x%" PRIx64 " rax 0x%" PRIx64
                " rbx 0x%" PRIx64, c->name, tcg_backend_name(s), in.flags, in.r[R_ECX],
                in.r[R_EAX], in.r[R_EBX]);
            if (!x86_native_compare(what, &want, &got, 1u << R_ESP, c->undef, false)) {
                g_test_fail();
                break;
            }
        }
    }
    g_test_message("%lu runs compared with silicon on %s", compared, tcg_backend_name(s));
    g_rand_free(r);
}

static void test_exec_native(void)
{
    if (!ctx_native) {
        g_test_skip("no native backend on this host");
        return;
    }
    test_exec_backend(ctx_native);
}

static void test_exec_tci(void)
{
    test_exec_backend(ctx_tci);
}

/*
 * lookup_and_goto_ptr keys the next TB with x86_hflags_refresh(): the hflags
 * computed before, with only the RFLAGS and interrupt-shadow bits redone. For
 * random modes (CR0/CR4/EFER/segments) and random RFLAGS/shadow changes it must
 * equal the full x86_compute_hflags() of the new state.
 */
static void test_hflags_refresh(void)
{
    static const uint64_t rfl_bits[] = {
        RFLAGS_TF, RFLAGS_IF, RFLAGS_DF, RFLAGS_AC, RFLAGS_VM, RFLAGS_CF,
        3ull << RFLAGS_IOPL_SHIFT, 1ull << RFLAGS_IOPL_SHIFT,
    };
    GRand *r = g_rand_new_with_seed(7);
    CPUX86State *env = g_new0(CPUX86State, 1);
    for (int n = 0; n < 200000; n++) {
        uint32_t pick = g_rand_int(r);
        env->cr[0] = (pick & 1 ? CR0_PE_MASK : 0) | (pick & 2 ? CR0_PG_MASK : 0) |
                     (pick & 4 ? CR0_AM_MASK : 0) | (pick & 8 ? CR0_TS_MASK : 0) |
                     (pick & 16 ? CR0_EM_MASK : 0) | (pick & 32 ? CR0_MP_MASK : 0);
        env->cr[4] = (pick & 64 ? CR4_SMAP_MASK : 0) | (pick & 128 ? CR4_SMEP_MASK : 0) |
                     (pick & 256 ? CR4_OSFXSR_MASK : 0);
        env->efer = pick & 512 ? EFER_LMA : 0;
        env->segs[R_CS].flags = (pick & 1024 ? DESC_L_MASK : 0) |
                                (pick & 2048 ? DESC_B_MASK : 0);
        env->segs[R_CS].selector = (pick >> 12) & 3;
        env->segs[R_SS].flags = pick & (1u << 14) ? DESC_B_MASK : 0;
        env->segs[R_DS].base = pick & (1u << 15) ? 0x1000 : 0;
        uint64_t rfl = 2;
        for (size_t i = 0; i < ARRAY_SIZE(rfl_bits); i++) {
            if (g_rand_boolean(r)) {
                rfl |= rfl_bits[i];
            }
        }
        env->rflags = rfl;
        env->events.interrupt_shadow = g_rand_boolean(r);
        uint32_t before = x86_compute_hflags(env);
        /* what translated code may change inline: RFLAGS bits, the shadow */
        for (size_t i = 0; i < ARRAY_SIZE(rfl_bits); i++) {
            if (g_rand_int_range(r, 0, 3) == 0) {
                env->rflags ^= rfl_bits[i];
            }
        }
        if (g_rand_boolean(r)) {
            env->events.interrupt_shadow = !env->events.interrupt_shadow;
        }
        uint32_t want = x86_compute_hflags(env), got = x86_hflags_refresh(env, before);
        if (got != want) {
            g_test_message("cr0 %#" PRIx64 " cr4 %#" PRIx64 " efer %#" PRIx64
                           " rflags %#" PRIx64 ": refresh %#x, full %#x",
                           env->cr[0], env->cr[4], env->efer, env->rflags, got, want);
            g_assert_not_reached();
        }
        /* x86_cpu_mmu_index reads the cached hflags (as left by the last full
         * computation) through the refresh: it must match the full state's. */
        env->hflags = before;
        g_assert_cmpint(x86_mmu_index_env(env, false), ==,
                        x86_mmu_index_for_hflags(want, false));
        g_assert_cmpint(x86_mmu_index_env(env, true), ==,
                        x86_mmu_index_for_hflags(want, true));
    }
    g_free(env);
    g_rand_free(r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    TCGContextConfig cfg = {
        .backend = TCG_BACKEND_TCI, .code_size = 16 << 20,
        .insn_start_words = X86_INSN_START_WORDS,
        .tlb_fast_offset = offsetof(CPUX86State, tlb_fast),
    };
    ctx_tci = tcg_context_new(&cfg, &error_abort);
    tcg_set_ctx(ctx_tci);
    x86_tcg_initialize();
    cfg.backend = TCG_BACKEND_NATIVE;
    Error *err = NULL;
    ctx_native = tcg_context_new(&cfg, &err);
    if (ctx_native) {
        tcg_set_ctx(ctx_native);
        x86_tcg_initialize();    /* same creation order: same handles */
    } else {
        error_free(err);
    }

    cpu = X86_CPU(object_new(X86_CPU_TYPE_NAME("qemu64")));
    cpu->env.decode_features = X86_FEATURES_ALL;

    g_test_add_func("/x86-translate/ir/add", test_ir_add);
    g_test_add_func("/x86-translate/ir/riprel-load", test_ir_riprel_load);
    g_test_add_func("/x86-translate/ir/cmp-jcc", test_ir_cmp_jcc);
    g_test_add_func("/x86-translate/ir/unimp", test_ir_unimp);
    g_test_add_func("/x86-translate/hflags-refresh", test_hflags_refresh);
    g_test_add_func("/x86-translate/exec/native", test_exec_native);
    g_test_add_func("/x86-translate/exec/tci", test_exec_tci);
    return g_test_run();
}
