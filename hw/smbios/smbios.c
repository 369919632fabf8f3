/*
 * SMBIOS structures and the 32-bit entry point (DMTF DSP0134 3.x; layouts of
 * SMBIOS 2.8 as QEMU's hw/smbios/smbios.c gives them to SeaBIOS). Every
 * multi-byte field is little-endian; each structure is its formatted area
 * followed by its strings (each NUL-terminated) and one more NUL, or two NULs
 * when it has none (§6.1.3).
 */
#include "hw/firmware/smbios.h"
#include "util/keyval.h"

#define SMBIOS_HANDLE_T0 0x0000
#define SMBIOS_HANDLE_T1 0x0100
#define SMBIOS_HANDLE_T3 0x0300
#define SMBIOS_HANDLE_T4 0x0400
#define SMBIOS_HANDLE_T16 0x1000
#define SMBIOS_HANDLE_T17 0x1100
#define SMBIOS_HANDLE_T19 0x1300
#define SMBIOS_HANDLE_T32 0x2000
#define SMBIOS_HANDLE_T127 0x7f00
#define SMBIOS_NO_HANDLE 0xfffe      /* "not provided" (§7.17.4) */
#define SMBIOS_DIMM_MAX (16ULL << 30) /* one type 17 per 16 GiB, as QEMU */

/* -smbios / -uuid settings; NULL means the default. */
static struct {
    char *t0_vendor, *t0_version, *t0_date;
    char *t1_manufacturer, *t1_product, *t1_version, *t1_serial, *t1_sku, *t1_family;
    char *t3_manufacturer, *t3_version, *t3_serial, *t3_asset, *t3_sku;
    bool have_uuid;
    uint8_t uuid[16];             /* RFC 4122 byte order, as parsed */
} smbios_cfg;

void smbios_reset_config(void)
{
    char **strs[] = {
        &smbios_cfg.t0_vendor, &smbios_cfg.t0_version, &smbios_cfg.t0_date,
        &smbios_cfg.t1_manufacturer, &smbios_cfg.t1_product, &smbios_cfg.t1_version,
        &smbios_cfg.t1_serial, &smbios_cfg.t1_sku, &smbios_cfg.t1_family,
        &smbios_cfg.t3_manufacturer, &smbios_cfg.t3_version, &smbios_cfg.t3_serial,
        &smbios_cfg.t3_asset, &smbios_cfg.t3_sku,
    };
    for (size_t i = 0; i < G_N_ELEMENTS(strs); i++) {
        g_free(*strs[i]);
        *strs[i] = NULL;
    }
    smbios_cfg.have_uuid = false;
    memset(smbios_cfg.uuid, 0, sizeof(smbios_cfg.uuid));
}

bool smbios_set_uuid(const char *uuid, Error **errp)
{
    unsigned v[16];
    if (!g_uuid_string_is_valid(uuid) ||
        sscanf(uuid, "%2x%2x%2x%2x-%2x%2x-%2x%2x-%2x%2x-%2x%2x%2x%2x%2x%2x", &v[0], &v[1],
               &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11],
               &v[12], &v[13], &v[14], &v[15]) != 16) {
        error_setg(errp, "not a UUID: '%s' (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", uuid);
        return false;
    }
    for (int i = 0; i < 16; i++) {
        smbios_cfg.uuid[i] = v[i];
    }
    smbios_cfg.have_uuid = true;
    return true;
}

/* Take key @key of @opts into *@dst if present. */
static void smbios_opt(Opts *opts, const char *key, char **dst)
{
    const char *v = opts_get(opts, key);
    if (v) {
        g_free(*dst);
        *dst = g_strdup(v);
    }
}

bool smbios_entry_add(const char *arg, Error **errp)
{
    g_autoptr(Opts) opts = opts_parse(arg, NULL, errp);
    uint64_t type;

    if (!opts) {
        return false;
    }
    if (opts_has(opts, "file")) {
        error_setg(errp, "-smbios %s: file= (binary tables) is not supported", arg);
        return false;
    }
    if (!opts_get_uint(opts, "type", UINT64_MAX, &type, errp)) {
        return false;
    }
    switch (type) {
    case 0:
        smbios_opt(opts, "vendor", &smbios_cfg.t0_vendor);
        smbios_opt(opts, "version", &smbios_cfg.t0_version);
        smbios_opt(opts, "date", &smbios_cfg.t0_date);
        break;
    case 1:
        smbios_opt(opts, "manufacturer", &smbios_cfg.t1_manufacturer);
        smbios_opt(opts, "product", &smbios_cfg.t1_product);
        smbios_opt(opts, "version", &smbios_cfg.t1_version);
        smbios_opt(opts, "serial", &smbios_cfg.t1_serial);
        smbios_opt(opts, "sku", &smbios_cfg.t1_sku);
        smbios_opt(opts, "family", &smbios_cfg.t1_family);
        if (opts_has(opts, "uuid") && !smbios_set_uuid(opts_get(opts, "uuid"), errp)) {
            error_prepend(errp, "-smbios %s: ", arg);
            return false;
        }
        break;
    case 3:
        smbios_opt(opts, "manufacturer", &smbios_cfg.t3_manufacturer);
        smbios_opt(opts, "version", &smbios_cfg.t3_version);
        smbios_opt(opts, "serial", &smbios_cfg.t3_serial);
        smbios_opt(opts, "asset", &smbios_cfg.t3_asset);
        smbios_opt(opts, "sku", &smbios_cfg.t3_sku);
        break;
    default:
        error_setg(errp, "-smbios %s: type= must be 0, 1 or 3%s", arg,
                   type == UINT64_MAX ? " (type= is missing)" : "");
        return false;
    }
    return opts_check_unused(opts, "-smbios", errp);
}

/* ---- building ---- */

typedef struct SmbiosBuilder {
    GByteArray *buf;
    size_t start;                 /* offset of the structure being built */
    GPtrArray *strings;           /* its strings */
    unsigned count;
    size_t max_size;
} SmbiosBuilder;

static void put8(SmbiosBuilder *b, uint8_t v)
{
    g_byte_array_append(b->buf, &v, 1);
}

static void put16(SmbiosBuilder *b, uint16_t v)
{
    put8(b, v);
    put8(b, v >> 8);
}

static void put32(SmbiosBuilder *b, uint32_t v)
{
    put16(b, v);
    put16(b, v >> 16);
}

static void put64(SmbiosBuilder *b, uint64_t v)
{
    put32(b, v);
    put32(b, v >> 32);
}

/* A string field: its 1-based number, or 0 for none / empty (§6.1.3). */
static void put_str(SmbiosBuilder *b, const char *s)
{
    if (!s || !*s) {
        put8(b, 0);
        return;
    }
    g_ptr_array_add(b->strings, g_strdup(s));
    put8(b, b->strings->len);
}

/* The 4-byte header; the length byte is patched by smbios_end. */
static void smbios_begin(SmbiosBuilder *b, uint8_t type, uint16_t handle)
{
    b->start = b->buf->len;
    g_ptr_array_set_size(b->strings, 0);
    put8(b, type);
    put8(b, 0);
    put16(b, handle);
}

static void smbios_end(SmbiosBuilder *b)
{
    b->buf->data[b->start + 1] = b->buf->len - b->start;
    for (guint i = 0; i < b->strings->len; i++) {
        const char *s = g_ptr_array_index(b->strings, i);
        g_byte_array_append(b->buf, (const guint8 *)s, strlen(s) + 1);
    }
    if (!b->strings->len) {
        put8(b, 0);
    }
    put8(b, 0);
    b->count++;
    b->max_size = MAX(b->max_size, b->buf->len - b->start);
}

static const char *or_default(const char *v, const char *def)
{
    return v ? v : def;
}

static void smbios_type0(SmbiosBuilder *b)
{
    smbios_begin(b, 0, SMBIOS_HANDLE_T0);
    put_str(b, or_default(smbios_cfg.t0_vendor, "emu"));
    put_str(b, or_default(smbios_cfg.t0_version, "emu-" EMU_VERSION));
    put16(b, 0xe800);               /* BIOS starting address segment */
    put_str(b, or_default(smbios_cfg.t0_date, "01/01/2026"));
    put8(b, 0);                     /* ROM size: as QEMU, left to SeaBIOS */
    put64(b, 1 << 3);               /* characteristics not supported (table 7) */
    put8(b, 0);                     /* extension byte 1 */
    put8(b, (1 << 2) | (1 << 4));   /* ext. byte 2: targeted content, VM (table 8) */
    put8(b, 0);                     /* system BIOS major / minor release */
    put8(b, 0);
    put8(b, 0xff);                  /* no embedded controller firmware */
    put8(b, 0xff);
    smbios_end(b);
}

static void smbios_type1(SmbiosBuilder *b, const SmbiosMachineInfo *mi)
{
    smbios_begin(b, 1, SMBIOS_HANDLE_T1);
    put_str(b, or_default(smbios_cfg.t1_manufacturer, mi->manufacturer));
    put_str(b, or_default(smbios_cfg.t1_product, mi->product));
    put_str(b, or_default(smbios_cfg.t1_version, mi->version));
    put_str(b, smbios_cfg.t1_serial);
    /* §7.2.1: the first three UUID fields are little-endian since 2.6. */
    const uint8_t *u = smbios_cfg.uuid;
    const uint8_t wire[16] = { u[3], u[2], u[1], u[0], u[5], u[4], u[7], u[6],
                               u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15] };
    g_byte_array_append(b->buf, wire, 16);
    put8(b, 0x06);                  /* wake-up type: power switch */
    put_str(b, smbios_cfg.t1_sku);
    put_str(b, smbios_cfg.t1_family);
    smbios_end(b);
}

static void smbios_type3(SmbiosBuilder *b, const SmbiosMachineInfo *mi)
{
    smbios_begin(b, 3, SMBIOS_HANDLE_T3);
    put_str(b, or_default(smbios_cfg.t3_manufacturer, mi->manufacturer));
    put8(b, 0x01);                  /* type: other */
    put_str(b, or_default(smbios_cfg.t3_version, mi->version));
    put_str(b, smbios_cfg.t3_serial);
    put_str(b, smbios_cfg.t3_asset);
    put8(b, 0x03);                  /* boot-up, power supply, thermal: safe */
    put8(b, 0x03);
    put8(b, 0x03);
    put8(b, 0x02);                  /* security status: unknown */
    put32(b, 0);                    /* OEM defined */
    put8(b, 0);                     /* height */
    put8(b, 0);                     /* power cords */
    put8(b, 0);                     /* contained elements: none, record length 0 */
    put8(b, 0);
    put_str(b, smbios_cfg.t3_sku);
    smbios_end(b);
}

static void smbios_type4(SmbiosBuilder *b, unsigned n)
{
    g_autofree char *socket = g_strdup_printf("CPU %u", n);

    smbios_begin(b, 4, SMBIOS_HANDLE_T4 + n);
    put_str(b, socket);
    put8(b, 0x03);                  /* central processor */
    put8(b, 0xfe);                  /* family: see processor family 2 */
    put_str(b, "emu");
    put64(b, 0);                    /* processor ID (CPUID 1 EAX/EDX): not filled */
    put_str(b, "emu virtual CPU");
    put8(b, 0);                     /* voltage */
    put16(b, 0);                    /* external clock: unknown */
    put16(b, 2000);                 /* max / current speed in MHz, as QEMU */
    put16(b, 2000);
    put8(b, 0x41);                  /* socket populated, CPU enabled */
    put8(b, 0x01);                  /* upgrade: other */
    put16(b, 0xffff);               /* no L1/L2/L3 cache structures */
    put16(b, 0xffff);
    put16(b, 0xffff);
    put8(b, 0);                     /* serial, asset tag, part number */
    put8(b, 0);
    put8(b, 0);
    put8(b, 1);                     /* cores, cores enabled, threads */
    put8(b, 1);
    put8(b, 1);
    put16(b, 0x02);                 /* characteristics: unknown */
    put16(b, 0x01);                 /* processor family 2: other */
    smbios_end(b);
}

static void smbios_type16(SmbiosBuilder *b, uint64_t ram, unsigned ndimms)
{
    uint64_t kib = ram / 1024;

    smbios_begin(b, 16, SMBIOS_HANDLE_T16);
    put8(b, 0x01);                  /* location: other */
    put8(b, 0x03);                  /* use: system memory */
    put8(b, 0x06);                  /* error correction: multi-bit ECC */
    /* Capacity in KiB; 0x80000000 means "see the extended field" (bytes). */
    put32(b, kib < 0x80000000ULL ? kib : 0x80000000U);
    put16(b, SMBIOS_NO_HANDLE);
    put16(b, ndimms);
    put64(b, kib < 0x80000000ULL ? 0 : ram);
    smbios_end(b);
}

static void smbios_type17(SmbiosBuilder *b, unsigned n, uint64_t size)
{
    g_autofree char *loc = g_strdup_printf("DIMM %u", n);
    uint64_t mib = size >> 20;

    smbios_begin(b, 17, SMBIOS_HANDLE_T17 + n);
    put16(b, SMBIOS_HANDLE_T16);
    put16(b, SMBIOS_NO_HANDLE);
    put16(b, 0xffff);               /* total / data width: unknown */
    put16(b, 0xffff);
    /* Size in MiB; 0x7fff means "see extended size" (§7.18.5). */
    put16(b, mib < 0x7fff ? mib : 0x7fff);
    put8(b, 0x09);                  /* form factor: DIMM */
    put8(b, 0);                     /* device set */
    put_str(b, loc);
    put8(b, 0);                     /* bank locator */
    put8(b, 0x07);                  /* memory type: RAM */
    put16(b, 0x02);                 /* type detail: other */
    put16(b, 0);                    /* speed: unknown */
    put_str(b, "emu");
    put8(b, 0);                     /* serial, asset tag, part number */
    put8(b, 0);
    put8(b, 0);
    put8(b, 0);                     /* attributes: rank unknown */
    put32(b, mib < 0x7fff ? 0 : mib);
    put16(b, 0);                    /* configured speed, min/max/configured voltage */
    put16(b, 0);
    put16(b, 0);
    put16(b, 0);
    smbios_end(b);
}

static void smbios_type19(SmbiosBuilder *b, unsigned n, uint64_t start, uint64_t size)
{
    uint64_t end = start + size - 1;
    bool ext = end >> 10 >= 0xffffffffULL;

    smbios_begin(b, 19, SMBIOS_HANDLE_T19 + n);
    /* KiB addresses; 0xffffffff means "see the extended byte addresses". */
    put32(b, ext ? 0xffffffffU : start >> 10);
    put32(b, ext ? 0xffffffffU : end >> 10);
    put16(b, SMBIOS_HANDLE_T16);
    put8(b, 1);                     /* partition width */
    put64(b, ext ? start : 0);
    put64(b, ext ? end : 0);
    smbios_end(b);
}

void smbios_build(const SmbiosMachineInfo *mi, uint8_t **tables, size_t *tables_len,
                  uint8_t **anchor, size_t *anchor_len)
{
    SmbiosBuilder b = {
        .buf = g_byte_array_new(),
        .strings = g_ptr_array_new_with_free_func(g_free),
    };
    uint64_t ram = mi->below_4g_mem_size + mi->above_4g_mem_size;
    unsigned ndimms = MAX(1, (ram + SMBIOS_DIMM_MAX - 1) / SMBIOS_DIMM_MAX);
    unsigned n19 = 0;

    smbios_type0(&b);
    smbios_type1(&b, mi);
    smbios_type3(&b, mi);
    for (unsigned i = 0; i < MAX(mi->cpus, 1u); i++) {
        smbios_type4(&b, i);
    }
    smbios_type16(&b, ram, ndimms);
    for (unsigned i = 0; i < ndimms; i++) {
        uint64_t left = ram - (uint64_t)i * SMBIOS_DIMM_MAX;
        smbios_type17(&b, i, MIN(left, SMBIOS_DIMM_MAX));
    }
    if (mi->below_4g_mem_size) {
        smbios_type19(&b, n19++, 0, mi->below_4g_mem_size);
    }
    if (mi->above_4g_mem_size) {
        smbios_type19(&b, n19++, 1ULL << 32, mi->above_4g_mem_size);
    }
    smbios_begin(&b, 32, SMBIOS_HANDLE_T32);
    for (int i = 0; i < 6; i++) {
        put8(&b, 0);                /* reserved */
    }
    put8(&b, 0);                    /* boot status: no errors */
    smbios_end(&b);
    smbios_begin(&b, 127, SMBIOS_HANDLE_T127);
    smbios_end(&b);

    /* The 2.1 entry point (§5.2.1); SeaBIOS fills the table address and
     * recomputes both checksums, which are right here for address 0. */
    uint8_t *ep = g_malloc0(SMBIOS_ANCHOR_LEN);
    memcpy(ep, "_SM_", 4);
    ep[5] = SMBIOS_ANCHOR_LEN;
    ep[6] = 2;
    ep[7] = 8;
    ep[8] = b.max_size;
    ep[9] = b.max_size >> 8;
    memcpy(ep + 0x10, "_DMI_", 5);
    ep[0x16] = b.buf->len;
    ep[0x17] = b.buf->len >> 8;
    ep[0x1c] = b.count;
    ep[0x1d] = b.count >> 8;
    ep[0x1e] = 0x28;                /* BCD revision 2.8 */
    uint8_t sum = 0;
    for (int i = 0x10; i < SMBIOS_ANCHOR_LEN; i++) {
        sum += ep[i];
    }
    ep[0x15] = -sum;
    sum = 0;
    for (int i = 0; i < SMBIOS_ANCHOR_LEN; i++) {
        sum += ep[i];
    }
    ep[4] = -sum;

    g_ptr_array_free(b.strings, true);
    *tables_len = b.buf->len;
    *tables = g_byte_array_free(b.buf, false);
    *anchor = ep;
    *anchor_len = SMBIOS_ANCHOR_LEN;
}
