/*
 * Helpers for translate-ext.c (included from helper.h; see its comment for the flags).
 */
