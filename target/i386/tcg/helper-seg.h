/*
 * Helpers for translate-seg.c (included from helper.h; see its comment for the flags).
 */
