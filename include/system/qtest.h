/*
 * The qtest server: a line protocol (QEMU's, command for command) through which a
 * test program reads and writes guest memory and I/O ports, steps the virtual
 * clock and watches IRQ lines, with no guest code running. See system/qtest.c
 * for the commands and tests/qtest/libqtest.h for the client side.
 */
#ifndef SYSTEM_QTEST_H
#define SYSTEM_QTEST_H

#include "util/osdep.h"
#include "util/error.h"

/*
 * -qtest SPEC [-qtest-log FILE]: open the chardev SPEC ("unix:/path" connects to
 * the test's listening socket, "stdio", ...) and serve the protocol on it from
 * the main loop. @log_path (NULL or "none": no log) gets every command and reply.
 * Call once, before the main loop runs; commands are only read from the main loop,
 * so the machine's devices exist by the time they are served. When the peer
 * closes the connection emu shuts down.
 */
bool qtest_server_init(const char *chardev_spec, const char *log_path, Error **errp);

/* The qtest accelerator is in use (no CPUs; the test owns the virtual clock). */
bool qtest_enabled(void);

/* For accel/qtest.c. */
void qtest_set_enabled(bool enabled);

/*
 * Run one protocol line (without its newline) and return everything the server
 * would send for it, replies and "IRQ ..." lines, newline-terminated. For unit
 * tests of the parser; the server need not be connected.
 */
char *qtest_process_line_for_test(const char *line);

#endif
