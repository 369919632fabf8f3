/*
 * Helpers for translate-sys.c (included from helper.h; see its comment for the flags).
 */
