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

void tcg_gen_tb_start(TranslationBlock *tb);
void tcg_gen_tb_end(TranslationBlock *tb);

/* Maximum guest instructions per TB the engine asks for by default. */
#define TCG_MAX_INSNS_PER_TB 512

#endif
