/*
 * libqtest: the client side of emu's qtest protocol (system/qtest.c), for device
 * tests that drive a machine through port and memory accesses, clock steps and
 * IRQ lines, with no guest code running. Function names follow QEMU's libqtest
 * so existing tests read the same.
 *
 * qtest_init() starts the emu binary named by $EMU_BINARY (default "build/emu")
 * with `-accel qtest -qtest unix:... -qmp unix:... -display none` plus the test's
 * own arguments; emu connects to two sockets libqtest listens on. Any failure
 * (emu not starting, a command answering FAIL, emu dying) prints what happened,
 * including emu's stderr, kills emu and aborts the test.
 *
 * Environment: EMU_BINARY (the emu to run), QTEST_LOG=FILE (passed to emu as
 * -qtest-log FILE), QTEST_TIMEOUT (seconds to wait for a reply, default 120).
 */
#ifndef TESTS_QTEST_LIBQTEST_H
#define TESTS_QTEST_LIBQTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include <json-glib/json-glib.h>

typedef struct QTestState QTestState;

/* @extra_args is split like a shell would (g_shell_parse_argv), e.g. "-machine none". */
QTestState *qtest_init(const char *extra_args);
QTestState *qtest_initf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/*
 * The next emu started gets RLIMIT_FSIZE @bytes with SIGXFSZ ignored, so its
 * writes past that offset fail with EFBIG (a real host I/O error for
 * werror= tests; prlimit(qtest_pid(s), ...) lifts it). Applies once.
 */
void qtest_set_fsize_limit(uint64_t bytes);
/*
 * Ask emu to quit (QMP "quit"), wait for it (killing it after 30 s) and free @s.
 * Returns emu's exit status, or 128 + the signal number if a signal ended it.
 */
int qtest_quit(QTestState *s);
/* emu's process id (to send it signals or change its limits). */
pid_t qtest_pid(QTestState *s);
/* Everything emu wrote to stdout/stderr so far. */
char *qtest_get_stderr(QTestState *s);

/*
 * Send one raw protocol line (a newline is added if missing) and return the reply
 * line without its newline, whatever it says ("OK ...", "FAIL ...").
 * Asynchronous "IRQ ..." lines are consumed on the way. g_free the result.
 */
char *qtest_raw_cmd(QTestState *s, const char *line);
/*
 * Send raw bytes as they are (several lines, no newline...), and read the next
 * reply line without sending anything; for protocol tests.
 */
void qtest_raw_send(QTestState *s, const char *bytes);
char *qtest_raw_recv(QTestState *s);

/* I/O ports. */
void qtest_outb(QTestState *s, uint16_t port, uint8_t value);
void qtest_outw(QTestState *s, uint16_t port, uint16_t value);
void qtest_outl(QTestState *s, uint16_t port, uint32_t value);
uint8_t qtest_inb(QTestState *s, uint16_t port);
uint16_t qtest_inw(QTestState *s, uint16_t port);
uint32_t qtest_inl(QTestState *s, uint16_t port);

/* Guest-physical memory (little-endian values). */
void qtest_writeb(QTestState *s, uint64_t addr, uint8_t value);
void qtest_writew(QTestState *s, uint64_t addr, uint16_t value);
void qtest_writel(QTestState *s, uint64_t addr, uint32_t value);
void qtest_writeq(QTestState *s, uint64_t addr, uint64_t value);
uint8_t qtest_readb(QTestState *s, uint64_t addr);
uint16_t qtest_readw(QTestState *s, uint64_t addr);
uint32_t qtest_readl(QTestState *s, uint64_t addr);
uint64_t qtest_readq(QTestState *s, uint64_t addr);
/* Buffers, sent as hex ("read"/"write"). */
void qtest_memread(QTestState *s, uint64_t addr, void *data, size_t size);
void qtest_memwrite(QTestState *s, uint64_t addr, const void *data, size_t size);
/* Buffers, sent as base64 ("b64read"/"b64write"): a third less on the wire. */
void qtest_bufread(QTestState *s, uint64_t addr, void *data, size_t size);
void qtest_bufwrite(QTestState *s, uint64_t addr, const void *data, size_t size);
void qtest_memset(QTestState *s, uint64_t addr, uint8_t pattern, size_t size);

/* The virtual clock (ns); each returns the clock after the command. */
int64_t qtest_clock_step_next(QTestState *s);
int64_t qtest_clock_step(QTestState *s, int64_t step);
int64_t qtest_clock_set(QTestState *s, int64_t value);

/*
 * IRQs: intercept the GPIO inputs (or outputs) of the device at QOM @path; from
 * then on emu reports level changes, which qtest_get_irq returns (lines 0..255).
 */
void qtest_irq_intercept_in(QTestState *s, const char *path);
void qtest_irq_intercept_out(QTestState *s, const char *path);
bool qtest_get_irq(QTestState *s, int num);
/* Drive input line @num of GPIO list @name (NULL: the unnamed list) to @level. */
void qtest_set_irq_in(QTestState *s, const char *path, const char *name, int num,
                      int level);

/*
 * QMP on the side channel. @fmt is printf-formatted into JSON; strings may use
 * single quotes as in QEMU's tests ("{'execute': 'query-status'}").
 * qtest_qmp returns the response object ({"return": ...} or {"error": ...});
 * events that arrive first are queued for qtest_qmp_eventwait. Free results with
 * json_node_unref.
 */
JsonNode *qtest_qmp(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void qtest_qmp_send(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
JsonNode *qtest_qmp_receive(QTestState *s);
/* Wait for event @name (queued or new); the _ref variant returns it. */
void qtest_qmp_eventwait(QTestState *s, const char *name);
JsonNode *qtest_qmp_eventwait_ref(QTestState *s, const char *name);
/* The "return" member of a response (borrowed), or NULL if it is an error. */
JsonNode *qtest_qmp_return(JsonNode *response);
/* query-status's "status" ("running", "paused", "io-error", ...), until the next call. */
const char *qtest_vm_status(QTestState *s);
/* Run the QMP command @cmd: its error's "desc" (g_free it), or NULL on success. */
char *qtest_qmp_error(QTestState *s, const char *cmd);

#endif
