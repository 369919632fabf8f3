/*
 * Helpers for translate-x87.c (included from helper.h; see its comment for the flags).
 */
