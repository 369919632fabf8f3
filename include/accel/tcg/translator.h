/*
 * What every TB a front end emits starts and ends with: the engine's exit-request
 * check, which lets a kick (cpu_interrupt, pause, the round-robin time slice) stop a
 * vCPU that is running chained TBs without returning to the cpu-exec loop.
 *
 *   front end translate_code():
 *       tcg_gen_tb_start(tb);
 *       ... tcg_gen_insn_start / the instructions / goto_tb + exit_tb ...
 *       tcg_gen_tb_end(tb);          after the last exit, before returning
 *
 * The check reads the int32_t at env + TCGCPUOps.exit_request_offset; when it is
 * non-zero the TB exits with tb | TB_EXIT_REQUESTED before its first instruction.
 * That path stores nothing (a TB entered by a chained jump has a stale guest PC);
 * the cpu-exec loop then calls restore_state_to_opc with the TB's first insn_start
 * words, so the guest state is exactly "about to run tb->pc". Front ends store no
 * PC of their own there.
 */
#ifndef ACCEL_TCG_TRANSLATOR_H
#define ACCEL_TCG_TRANSLATOR_H

#include "accel/tcg/tcg-cpu-ops.h"
#include "tcg/tcg-op.h"

void tcg_gen_tb_start(TranslationBlock *tb);
void tcg_gen_tb_end(TranslationBlock *tb);

/*
 * An indirect jump to @pc (already stored to the guest state the engine's
 * get_tb_cpu_state reads): probe the vCPU's jump cache inline for the key
 * (@pc, @cs_base, @flags) and jump straight to the cached TB on a hit; on a miss
 * call tcg_gen_lookup_and_goto_ptr()'s hook. @cs_base must be the value
 * get_tb_cpu_state would return at this point (the current TB's, when the jump
 * cannot change it) and @flags the TB flags it would return. Interrupts and kicks
 * are still seen by the target TB's exit-request check.
 */
void tcg_gen_lookup_and_goto_ptr_jc(TCGv_i64 pc, uint64_t cs_base, TCGv_i32 flags);

/* Maximum guest instructions per TB the engine asks for by default. */
#define TCG_MAX_INSNS_PER_TB 512

#endif
