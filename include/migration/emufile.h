/*
 * A byte stream for migration data: in memory (savevm into a buffer, tests) or on
 * a file descriptor. Scalars are big-endian, as in QEMU's stream format. Errors
 * are sticky: after the first one every read returns zeros and every write is
 * dropped, and emufile_error() tells what happened.
 */
#ifndef MIGRATION_EMUFILE_H
#define MIGRATION_EMUFILE_H

#include "util/osdep.h"
#include "util/error.h"

typedef struct EmuFile EmuFile;

EmuFile *emufile_new_buffer(void);                         /* for writing */
EmuFile *emufile_new_reader(const uint8_t *data, size_t len);  /* copies @data */
EmuFile *emufile_new_fd(int fd, bool writable);            /* does not own @fd */
void emufile_close(EmuFile *f);

/* Everything written so far (buffer files only). */
const uint8_t *emufile_buffer(EmuFile *f, size_t *len);

void emufile_put_buffer(EmuFile *f, const void *buf, size_t len);
void emufile_put_byte(EmuFile *f, uint8_t v);
void emufile_put_be16(EmuFile *f, uint16_t v);
void emufile_put_be32(EmuFile *f, uint32_t v);
void emufile_put_be64(EmuFile *f, uint64_t v);
/* A length-prefixed (one byte) string of at most 255 bytes. */
void emufile_put_string(EmuFile *f, const char *s);

/* Returns the bytes read; short reads set the error. */
size_t emufile_get_buffer(EmuFile *f, void *buf, size_t len);
uint8_t emufile_get_byte(EmuFile *f);
uint16_t emufile_get_be16(EmuFile *f);
uint32_t emufile_get_be32(EmuFile *f);
uint64_t emufile_get_be64(EmuFile *f);
/* Reads a string written by emufile_put_string (caller frees); NULL on error. */
char *emufile_get_string(EmuFile *f);
/* Look at the next byte without consuming it; -1 at end or on error. */
int emufile_peek_byte(EmuFile *f);

void emufile_flush(EmuFile *f);
/* The first error, or NULL. */
const char *emufile_error(EmuFile *f);
void emufile_set_error(EmuFile *f, const char *fmt, ...) EMU_PRINTF(2, 3);

#endif
