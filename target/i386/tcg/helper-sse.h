/*
 * Helpers for translate-sse.c (included from helper.h; see its comment for the flags).
 */
