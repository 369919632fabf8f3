/* Shared between the monitor core, HMP, QMP and the built-in commands. */
#ifndef MONITOR_INTERNAL_H
#define MONITOR_INTERNAL_H

#include "monitor/monitor.h"

/* HMP input history kept for up/down arrows. */
#define HMP_HISTORY_MAX 64
/* QMP: one JSON value may not be longer than this. */
#define QMP_MAX_VALUE_LEN (1024 * 1024)
/* QMP: nesting deeper than this is refused (a stack bomb guard). */
#define QMP_MAX_NESTING 1024

/*
 * Splits a byte stream into top-level JSON values without parsing them:
 * tracks strings, escapes and bracket nesting. Values go to @emit; framing
 * errors to @error, after which the splitter drops input up to the next newline
 * so that the next command line starts clean.
 */
typedef struct JsonSplitter {
    GString *buf;
    GByteArray *stack;      /* open '{' / '[' */
    bool in_string;
    bool escape;
    bool in_scalar;         /* a bare top-level token (number, true...) */
    bool discarding;        /* value over QMP_MAX_VALUE_LEN: drop until it ends */
    bool recovering;        /* after an error: drop until '\n' */
    void (*emit)(void *opaque, const char *text, size_t len);
    void (*error)(void *opaque, const char *msg);
    void *opaque;
} JsonSplitter;

void json_splitter_init(JsonSplitter *js,
                        void (*emit)(void *opaque, const char *text, size_t len),
                        void (*error)(void *opaque, const char *msg), void *opaque);
void json_splitter_feed(JsonSplitter *js, const uint8_t *buf, size_t len);
void json_splitter_reset(JsonSplitter *js);
void json_splitter_destroy(JsonSplitter *js);

/*
 * Output the host side has not taken yet is kept (up to this much) and sent when
 * the chardev can take more, so a client that stops reading never stalls emu.
 */
#define MONITOR_OUTBUF_MAX (8 * 1024 * 1024)

struct Monitor {
    CharBackend chr;
    bool has_chr;
    bool is_qmp;
    /* human-monitor-command: output goes here instead of a chardev. */
    GString *capture;
    GString *outbuf;        /* written, not yet taken by the chardev */
    guint out_watch;        /* G_IO_OUT watch while @outbuf is non-empty */
    uint64_t out_dropped;   /* bytes dropped because @outbuf was full */

    /* HMP line editor */
    GString *line;
    size_t cursor;          /* byte offset in @line */
    GPtrArray *history;     /* char *, oldest first */
    int hist_pos;           /* -1 = editing a new line */
    int esc_state;          /* 0 none, 1 after ESC, 2 after ESC [ or ESC O */
    bool last_was_cr;       /* swallow the '\n' of "\r\n" */
    bool opened;            /* the host side is connected */
    bool focused;           /* a mux gives us the input (always true elsewhere) */
    bool banner_shown;

    /* QMP */
    bool pretty;
    bool negotiated;        /* qmp_capabilities done: commands and events flow */
    JsonSplitter splitter;
};

/* Output to a monitor's chardev or capture buffer; one call is never split up
 * by the output limit (a QMP message arrives whole or not at all). */
void monitor_write_raw(Monitor *mon, const char *buf, size_t len);
/* Wait (at most 2 s) for buffered output to be taken; drop whatever is left. */
void monitor_flush(Monitor *mon);
/* The host side went away: drop what it did not take. */
void monitor_discard_output(Monitor *mon);

/* JSON text in QEMU's layout, ASCII only (caller frees). */
char *monitor_json_to_string(JsonNode *node, bool pretty);

/* The table, sorted by name. Caller frees the array only. */
GPtrArray *monitor_command_list(void);

typedef struct MonitorInfo {
    char *name;
    char *args_type;
    char *params;
    char *help;
    MonitorInfoFunc *fn;
    MonitorInfoArgsFunc *fn_args;
} MonitorInfo;

GPtrArray *monitor_info_list(void);
const MonitorInfo *monitor_find_info(const char *name);

/* The monitor running a command (set around dispatch). */
extern Monitor *cur_mon;

/* One entry of an args_type string. */
typedef struct MonitorArgSpec {
    char *name;
    char type;              /* 's', 'S', 'i', 'b', 'V', or '-' for a flag */
    char flag;              /* '-': the flag letter */
    bool optional;
} MonitorArgSpec;

/* Parse @args_type (may be NULL); free with monitor_arg_specs_free. */
GArray *monitor_arg_specs_parse(const char *args_type);
void monitor_arg_specs_free(GArray *specs);

/*
 * Check QMP @args against @args_type: unknown member, missing required member
 * or wrong JSON type -> error (QEMU's wording).
 */
bool monitor_check_qmp_args(const char *args_type, JsonObject *args, Error **errp);

/* HMP (hmp.c) */
void hmp_init(Monitor *mon);
void hmp_destroy(Monitor *mon);
void hmp_handle_command(Monitor *mon, const char *line);

/* QMP (qmp.c) */
void qmp_init(Monitor *mon);
void qmp_destroy(Monitor *mon);

#endif
