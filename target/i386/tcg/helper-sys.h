/*
 * Helpers for translate-sys.c (included from helper.h; see its comment for the flags).
 * Every helper here may raise a guest exception (through GETPC()) or reads and
 * writes rAX/rCX/rDX: none is NO_RWG.
 */
/* Control and debug registers, CR0/TS (sys-helper.c). */
DEF_HELPER_FLAGS_3(write_cr, 0, void, env, i32, i64)
DEF_HELPER_FLAGS_1(read_cr8, 0, i64, env)
DEF_HELPER_FLAGS_3(write_dr, 0, void, env, i32, i64)
DEF_HELPER_FLAGS_2(read_dr, 0, i64, env, i32)
DEF_HELPER_FLAGS_1(clts, 0, void, env)
DEF_HELPER_FLAGS_2(lmsw, 0, void, env, i64)
/* TLB control; probe = fault like an access: (addr, size, mmu_idx | write << 8). */
DEF_HELPER_FLAGS_2(invlpg, 0, void, env, i64)
DEF_HELPER_FLAGS_4(invpcid, 0, void, env, i64, i64, i64)
DEF_HELPER_FLAGS_4(probe, 0, void, env, i64, i32, i32)
/* CLI/STI refused by IOPL: #GP(0); RIP must be stored first. */
DEF_HELPER_FLAGS_1(iopl_fault, TCG_CALL_NO_RETURN, void, env)
DEF_HELPER_FLAGS_1(rdtscp, 0, void, env)
DEF_HELPER_FLAGS_1(rdpmc, 0, void, env)
DEF_HELPER_FLAGS_1(xgetbv, 0, void, env)
DEF_HELPER_FLAGS_1(xsetbv, 0, void, env)
DEF_HELPER_FLAGS_3(monitor, 0, void, env, i64, i32)
DEF_HELPER_FLAGS_1(mwait, 0, void, env)
DEF_HELPER_FLAGS_1(rdpkru, 0, void, env)
DEF_HELPER_FLAGS_1(wrpkru, 0, void, env)
/* RDMSR/WRMSR: ECX, EDX:EAX (msr-helper.c). */
DEF_HELPER_FLAGS_1(rdmsr, 0, void, env)
DEF_HELPER_FLAGS_1(wrmsr, 0, void, env)
/* Port I/O (io-helper.c): bitmap check (port, size), IN (port, size), OUT (port, val, size). */
DEF_HELPER_FLAGS_3(check_io, 0, void, env, i32, i32)
DEF_HELPER_FLAGS_3(in, 0, i64, env, i32, i32)
DEF_HELPER_FLAGS_4(out, 0, void, env, i32, i64, i32)
