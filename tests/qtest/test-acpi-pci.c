/*
 * The DSDT's PCI description, read as firmware gets it (fw_cfg file
 * "etc/acpi/tables") and decoded here with a small AML reader and
 * interpreter written from the ACPI 6.5 grammar (§20.2), independent of
 * emu's encoder:
 *   - \_SB.PCI0 is a PNP0A03 host bridge with _ADR 0 and a _CRS that gives
 *     bus 0-255, I/O 0-0xcf7 and 0xd00-0xffff, the VGA window and the PCI
 *     hole from the end of RAM below 4 GiB to the I/O APIC;
 *   - its _PRT has 32 slots x 4 pins, each once, each naming a PNP0C0F link;
 *   - end to end, with emu-pci-testdev functions on several slots and pins:
 *     the link _PRT names for a device, programmed with its _SRS to an IRQ
 *     from its _PRS, makes the device's INTx arrive on that ISA IRQ (the
 *     oracle is where the interrupt really lands, intercepted at
 *     /machine/gsi); _CRS and _STA then report it, _DIS unroutes it;
 *   - after the test writes PIIX3 PIRQRC (00:01.0 0x60-0x63, 82371SB
 *     §2.2.9) directly, each link's _CRS and _STA follow the register.
 * The methods run in the interpreter below, whose Field accesses in
 * PCI_Config regions are real configuration cycles through 0xcf8/0xcfc.
 */
#include "pci-helpers.h"
#include "fw-cfg-helpers.h"

static uint32_t le32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- AML reader (ACPI 6.5 §20.2) ---- */

typedef enum { OBJ_NAME, OBJ_METHOD, OBJ_DEVICE, OBJ_REGION, OBJ_FIELD } ObjType;

typedef struct AmlObj {
    char *path;                 /* "\\_SB_.PCI0._PRT" */
    ObjType type;
    const uint8_t *start, *end; /* Name: its data object; Method: its body */
    unsigned nargs;
    uint64_t region_offset;     /* Region */
    uint8_t region_space;
    char *region;               /* Field: its region's path */
    unsigned bit_offset, bit_width;
} AmlObj;

static GPtrArray *ns;           /* AmlObj * */

static size_t pkg_length(const uint8_t **pp)
{
    const uint8_t *p = *pp;
    unsigned follow = p[0] >> 6;
    size_t len = follow ? p[0] & 0x0f : p[0] & 0x3f;
    for (unsigned i = 0; i < follow; i++) {
        len |= (size_t)p[1 + i] << (4 + 8 * i);
    }
    *pp = p + 1 + follow;
    return len;
}

/* A NameString made absolute against @scope ("\\" or "\\A___.B___"). */
static char *name_string(const uint8_t **pp, const char *scope)
{
    const uint8_t *p = *pp;
    GString *out = g_string_new(NULL);
    unsigned nseg;

    if (*p == '\\') {
        g_string_assign(out, "\\");
        p++;
    } else {
        g_string_assign(out, scope);
        while (*p == '^') {
            char *dot = strrchr(out->str, '.');
            g_string_truncate(out, dot ? (gsize)(dot - out->str) : 1);
            p++;
        }
    }
    if (*p == 0x00) {
        nseg = 0;
        p++;
    } else if (*p == 0x2e) {
        nseg = 2;
        p++;
    } else if (*p == 0x2f) {
        nseg = p[1];
        p += 2;
    } else {
        nseg = 1;
    }
    for (unsigned i = 0; i < nseg; i++) {
        if (out->len > 1) {
            g_string_append_c(out, '.');
        }
        g_string_append_len(out, (const char *)p, 4);
        p += 4;
    }
    *pp = p;
    return g_string_free(out, false);
}

static bool is_name_char(uint8_t c)
{
    return c == '\\' || c == '^' || c == '_' || c == 0x2e || c == 0x2f ||
           (c >= 'A' && c <= 'Z');
}

/* Skip one data object (integer, string, buffer, package, name reference). */
static const uint8_t *skip_data(const uint8_t *p)
{
    const uint8_t *q;
    switch (*p) {
    case 0x00: case 0x01: case 0xff:
        return p + 1;
    case 0x0a:
        return p + 2;
    case 0x0b:
        return p + 3;
    case 0x0c:
        return p + 5;
    case 0x0e:
        return p + 9;
    case 0x0d:
        return p + 2 + strlen((const char *)p + 1);
    case 0x11: case 0x12:
        q = p + 1;
        return q + pkg_length(&q);
    default:
        g_assert_true(is_name_char(*p));
        q = p;
        g_free(name_string(&q, "\\"));
        return q;
    }
}

static AmlObj *ns_add(const char *path, ObjType type)
{
    AmlObj *o = g_new0(AmlObj, 1);
    o->path = g_strdup(path);
    o->type = type;
    g_ptr_array_add(ns, o);
    return o;
}

static AmlObj *ns_find(const char *path)
{
    for (guint i = 0; i < ns->len; i++) {
        AmlObj *o = g_ptr_array_index(ns, i);
        if (!strcmp(o->path, path)) {
            return o;
        }
    }
    return NULL;
}

static uint64_t int_const(const uint8_t **pp)
{
    const uint8_t *p = *pp;
    uint64_t v = 0;
    unsigned n;
    switch (*p++) {
    case 0x00: *pp = p; return 0;
    case 0x01: *pp = p; return 1;
    case 0xff: *pp = p; return UINT64_MAX;
    case 0x0a: n = 1; break;
    case 0x0b: n = 2; break;
    case 0x0c: n = 4; break;
    case 0x0e: n = 8; break;
    default:
        g_error("AML: expected an integer constant, got opcode 0x%02x", p[-1]);
    }
    for (unsigned i = 0; i < n; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    *pp = p + n;
    return v;
}

/* Record the named objects of a TermList at the table level. */
static void load_terms(const uint8_t *p, const uint8_t *end, const char *scope)
{
    while (p < end) {
        const uint8_t *op = p;
        if (*p == 0x10 || (*p == 0x5b && p[1] == 0x82)) {          /* Scope, Device */
            p += *p == 0x10 ? 1 : 2;
            const uint8_t *pl = p;
            const uint8_t *blk_end = pl + pkg_length(&p);
            g_autofree char *path = name_string(&p, scope);
            if (*op == 0x5b) {
                ns_add(path, OBJ_DEVICE);
            }
            load_terms(p, blk_end, path);
            p = blk_end;
        } else if (*p == 0x08) {                                   /* Name */
            p++;
            g_autofree char *path = name_string(&p, scope);
            AmlObj *o = ns_add(path, OBJ_NAME);
            o->start = p;
            p = skip_data(p);
            o->end = p;
        } else if (*p == 0x14) {                                   /* Method */
            p++;
            const uint8_t *pl = p;
            const uint8_t *blk_end = pl + pkg_length(&p);
            g_autofree char *path = name_string(&p, scope);
            AmlObj *o = ns_add(path, OBJ_METHOD);
            o->nargs = *p++ & 7;
            o->start = p;
            o->end = blk_end;
            p = blk_end;
        } else if (*p == 0x5b && p[1] == 0x80) {                   /* OperationRegion */
            p += 2;
            g_autofree char *path = name_string(&p, scope);
            AmlObj *o = ns_add(path, OBJ_REGION);
            o->region_space = *p++;
            o->region_offset = int_const(&p);
            int_const(&p);
        } else if (*p == 0x5b && p[1] == 0x81) {                   /* Field */
            p += 2;
            const uint8_t *pl = p;
            const uint8_t *blk_end = pl + pkg_length(&p);
            g_autofree char *region = name_string(&p, scope);
            p++;                                                   /* FieldFlags */
            unsigned bit = 0;
            while (p < blk_end) {
                if (*p == 0x00) {                                  /* ReservedField */
                    p++;
                    bit += pkg_length(&p);
                    continue;
                }
                g_autofree char *fpath = g_strdup_printf("%s%s%.4s", scope,
                                                         strlen(scope) > 1 ? "." : "", p);
                p += 4;
                AmlObj *o = ns_add(fpath, OBJ_FIELD);
                o->region = g_strdup(region);
                o->bit_offset = bit;
                o->bit_width = pkg_length(&p);
                bit += o->bit_width;
            }
            p = blk_end;
        } else {
            g_error("AML: unexpected opcode 0x%02x at table level", *p);
        }
    }
}

/* ---- a small interpreter for the methods (§19.6) ---- */

typedef struct Val {
    bool is_buf;
    uint64_t i;
    GByteArray *buf;            /* shared by fields created over it */
} Val;

typedef struct Local {
    char *name;                 /* method-scope object, 4 chars */
    Val v;                      /* a Name */
    GByteArray *field_buf;      /* a CreateDWordField over this buffer */
    unsigned field_off;
} Local;

typedef struct Frame {
    QTestState *s;
    const char *scope;          /* the method's path */
    Val args[7];
    GPtrArray *locals;          /* Local * */
    bool returned;
    Val ret;
} Frame;

static Val val_int(uint64_t i)
{
    return (Val){ .i = i };
}

static AmlObj *resolve(const char *path, const char *scope)
{
    AmlObj *o = ns_find(path);
    if (o || strchr(path + 1, '.')) {
        return o;
    }
    /* A single segment searches upwards from @scope (§5.3). */
    g_autofree char *sc = g_strdup(scope);
    const char *seg = path + strlen(path) - 4;
    for (;;) {
        g_autofree char *full = g_strdup_printf("%s%s%s", sc, strlen(sc) > 1 ? "." : "", seg);
        o = ns_find(full);
        if (o || strlen(sc) <= 1) {
            return o;
        }
        char *dot = strrchr(sc, '.');
        if (dot) {
            *dot = 0;
        } else {
            sc[1] = 0;
        }
    }
}

/* The PCI function a PCI_Config region belongs to: its parent's _ADR. */
static uint32_t region_bdf(AmlObj *region)
{
    g_autofree char *dev = g_strndup(region->path, strrchr(region->path, '.') - region->path);
    g_autofree char *adr_path = g_strconcat(dev, "._ADR", NULL);
    AmlObj *adr = ns_find(adr_path);
    g_assert_nonnull(adr);
    const uint8_t *p = adr->start;
    uint64_t v = int_const(&p);
    return BDF(v >> 16, v & 0xffff);
}

static AmlObj *field_region(AmlObj *f)
{
    AmlObj *r = ns_find(f->region);
    g_assert_nonnull(r);
    g_assert_cmpuint(r->region_space, ==, 0x02);       /* PCI_Config */
    g_assert_cmpuint(f->bit_offset % 8, ==, 0);
    g_assert_cmpuint(f->bit_width, ==, 8);
    return r;
}

static uint64_t field_read(QTestState *s, AmlObj *f)
{
    AmlObj *r = field_region(f);
    return cfg_readb(s, region_bdf(r), r->region_offset + f->bit_offset / 8);
}

static void field_write(QTestState *s, AmlObj *f, uint64_t v)
{
    AmlObj *r = field_region(f);
    cfg_writeb(s, region_bdf(r), r->region_offset + f->bit_offset / 8, v);
}

static Local *frame_local(Frame *fr, const char *path)
{
    const char *seg = path + strlen(path) - 4;
    for (guint i = 0; i < fr->locals->len; i++) {
        Local *l = g_ptr_array_index(fr->locals, i);
        if (!strcmp(l->name, seg)) {
            return l;
        }
    }
    return NULL;
}

static Val data_object(const uint8_t **pp)
{
    const uint8_t *p = *pp;
    if (*p == 0x11) {                                           /* Buffer */
        p++;
        const uint8_t *pl = p;
        const uint8_t *end = pl + pkg_length(&p);
        uint64_t size = int_const(&p);
        Val v = { .is_buf = true, .buf = g_byte_array_new() };
        g_byte_array_set_size(v.buf, size);
        memset(v.buf->data, 0, size);
        memcpy(v.buf->data, p, MIN((size_t)(end - p), (size_t)size));
        *pp = end;
        return v;
    }
    return val_int(int_const(pp));
}

static Val eval(Frame *fr, const uint8_t **pp);

/* Store @v into the SuperName at *pp (NullName: nowhere). */
static void store(Frame *fr, const uint8_t **pp, Val v)
{
    const uint8_t *p = *pp;
    if (*p == 0x00) {
        *pp = p + 1;
        return;
    }
    if (*p >= 0x60 && *p <= 0x66) {
        g_error("AML: store to a local variable is not needed here");
    }
    g_autofree char *path = name_string(&p, fr->scope);
    *pp = p;
    Local *l = frame_local(fr, path);
    if (l && l->field_buf) {
        for (int i = 0; i < 4; i++) {
            l->field_buf->data[l->field_off + i] = v.i >> (8 * i);
        }
        return;
    }
    AmlObj *o = resolve(path, fr->scope);
    g_assert_nonnull(o);
    g_assert_cmpint(o->type, ==, OBJ_FIELD);
    field_write(fr->s, o, v.i);
}

static Val eval(Frame *fr, const uint8_t **pp)
{
    const uint8_t *p = *pp;
    uint8_t op = *p;
    Val a, b, r;

    switch (op) {
    case 0x00: case 0x01: case 0xff: case 0x0a: case 0x0b: case 0x0c: case 0x0e:
    case 0x11:
        r = data_object(pp);
        return r;
    case 0x68 ... 0x6e:                                         /* ArgN */
        *pp = p + 1;
        return fr->args[op - 0x68];
    case 0x7b: case 0x7d:                                       /* And, Or */
        p++;
        a = eval(fr, &p);
        b = eval(fr, &p);
        r = val_int(op == 0x7b ? a.i & b.i : a.i | b.i);
        store(fr, &p, r);
        *pp = p;
        return r;
    case 0x93: case 0x95:                                       /* LEqual, LLess */
        p++;
        a = eval(fr, &p);
        b = eval(fr, &p);
        *pp = p;
        return val_int((op == 0x93 ? a.i == b.i : a.i < b.i) ? UINT64_MAX : 0);
    default:
        break;
    }
    g_assert_true(is_name_char(op));
    g_autofree char *path = name_string(&p, fr->scope);
    *pp = p;
    Local *l = frame_local(fr, path);
    if (l) {
        if (l->field_buf) {
            return val_int(le32(l->field_buf->data + l->field_off));
        }
        return l->v;
    }
    AmlObj *o = resolve(path, fr->scope);
    g_assert_nonnull(o);
    if (o->type == OBJ_FIELD) {
        return val_int(field_read(fr->s, o));
    }
    g_assert_cmpint(o->type, ==, OBJ_NAME);
    const uint8_t *d = o->start;
    return data_object(&d);
}

static void exec_terms(Frame *fr, const uint8_t *p, const uint8_t *end)
{
    while (p < end && !fr->returned) {
        const uint8_t *q;
        switch (*p) {
        case 0x08: {                                            /* Name */
            p++;
            Local *l = g_new0(Local, 1);
            g_autofree char *path = name_string(&p, fr->scope);
            l->name = g_strdup(path + strlen(path) - 4);
            l->v = data_object(&p);
            g_ptr_array_add(fr->locals, l);
            break;
        }
        case 0x8a: {                                            /* CreateDWordField */
            p++;
            Val src = eval(fr, &p);
            Val idx = eval(fr, &p);
            g_assert_true(src.is_buf);
            g_assert_cmpuint(idx.i + 4, <=, src.buf->len);
            Local *l = g_new0(Local, 1);
            g_autofree char *path = name_string(&p, fr->scope);
            l->name = g_strdup(path + strlen(path) - 4);
            l->field_buf = src.buf;
            l->field_off = idx.i;
            g_ptr_array_add(fr->locals, l);
            break;
        }
        case 0xa0: {                                            /* If [Else] */
            p++;
            q = p;
            const uint8_t *blk_end = q + pkg_length(&p);
            Val c = eval(fr, &p);
            if (c.i) {
                exec_terms(fr, p, blk_end);
            }
            p = blk_end;
            if (p < end && *p == 0xa1) {
                p++;
                q = p;
                const uint8_t *else_end = q + pkg_length(&p);
                if (!c.i) {
                    exec_terms(fr, p, else_end);
                }
                p = else_end;
            }
            break;
        }
        case 0xa4:                                              /* Return */
            p++;
            fr->ret = eval(fr, &p);
            fr->returned = true;
            break;
        case 0x70: {                                            /* Store */
            p++;
            Val v = eval(fr, &p);
            store(fr, &p, v);
            break;
        }
        default:
            eval(fr, &p);                                       /* And/Or with target */
            break;
        }
    }
}

/* Evaluate @path: a method (run with @arg0) or a Name's value. */
static Val aml_eval(QTestState *s, const char *path, Val *arg0)
{
    AmlObj *o = ns_find(path);
    g_assert_nonnull(o);
    if (o->type == OBJ_NAME) {
        const uint8_t *d = o->start;
        return data_object(&d);
    }
    g_assert_cmpint(o->type, ==, OBJ_METHOD);
    Frame fr = { .s = s, .scope = o->path, .locals = g_ptr_array_new() };
    if (arg0) {
        fr.args[0] = *arg0;
    }
    exec_terms(&fr, o->start, o->end);
    for (guint i = 0; i < fr.locals->len; i++) {
        Local *l = g_ptr_array_index(fr.locals, i);
        g_free(l->name);
        g_free(l);
    }
    g_ptr_array_free(fr.locals, true);
    return fr.ret;
}

/* Parse the DSDT in "etc/acpi/tables" into ns. */
static void load_dsdt(QTestState *s)
{
    uint32_t size;
    uint8_t *blob = fw_file(s, "etc/acpi/tables", &size);
    g_assert_nonnull(blob);
    uint32_t off;

    for (off = 0; off + 36 <= size; off += 4) {
        if (!memcmp(blob + off, "DSDT", 4) && le32(blob + off + 4) >= 36 &&
            off + le32(blob + off + 4) <= size) {
            break;
        }
    }
    g_assert_cmpuint(off + 36, <=, size);
    static uint8_t *keep;      /* the namespace points into it */
    g_free(keep);
    keep = blob;
    if (ns) {
        g_ptr_array_free(ns, true);
    }
    ns = g_ptr_array_new();
    load_terms(blob + off + 36, blob + off + le32(blob + off + 4), "\\");
}

/* ---- resource templates (§6.4) ---- */

/* The first interrupt of a descriptor list with one extended IRQ (§6.4.3.6). */
static uint32_t crs_irq(Val v)
{
    g_assert_true(v.is_buf);
    g_assert_cmphex(v.buf->data[0], ==, 0x89);
    g_assert_cmpuint(v.buf->data[4], >=, 1);
    return le32(v.buf->data + 5);
}

/* All interrupts of the first extended IRQ descriptor. */
static GArray *prs_irqs(Val v)
{
    GArray *a = g_array_new(false, false, sizeof(uint32_t));
    g_assert_true(v.is_buf);
    g_assert_cmphex(v.buf->data[0], ==, 0x89);
    /* level (bit 1 clear), active high (bit 2 clear), shared (bit 3): PCI */
    g_assert_cmphex(v.buf->data[3] & 0x0e, ==, 0x08);
    for (unsigned i = 0; i < v.buf->data[4]; i++) {
        uint32_t irq = le32(v.buf->data + 5 + 4 * i);
        g_array_append_val(a, irq);
    }
    return a;
}

/* ---- the tests ---- */

#define PIIX3 BDF(1, 0)
#define PIRQRC 0x60

static void test_pci0(void)
{
    QTestState *s = qtest_init("-machine pc -m 512");
    load_dsdt(s);

    AmlObj *pci0 = ns_find("\\_SB_.PCI0");
    g_assert_nonnull(pci0);
    g_assert_cmpint(pci0->type, ==, OBJ_DEVICE);
    /* EISAID("PNP0A03") compressed: 41 d0 0a 03. */
    g_assert_cmphex(aml_eval(s, "\\_SB_.PCI0._HID", NULL).i, ==, 0x030ad041);
    g_assert_cmphex(aml_eval(s, "\\_SB_.PCI0._ADR", NULL).i, ==, 0);

    /* _CRS: walk the descriptors (small items §6.4.2, large §6.4.3). */
    Val crs = aml_eval(s, "\\_SB_.PCI0._CRS", NULL);
    g_assert_true(crs.is_buf);
    bool bus = false, io_lo = false, io_hi = false, vga = false, hole = false;
    bool hole64 = false;
    for (size_t i = 0; i < crs.buf->len;) {
        const uint8_t *d = crs.buf->data + i;
        if (!(d[0] & 0x80)) {
            if ((d[0] >> 3) == 0x0f) {
                break;                                     /* End Tag */
            }
            i += 1 + (d[0] & 7);
            continue;
        }
        unsigned len = d[1] | d[2] << 8;
        uint64_t min, max;
        if (d[0] == 0x88) {
            min = d[8] | d[9] << 8;
            max = d[10] | d[11] << 8;
        } else if (d[0] == 0x87) {
            min = le32(d + 10);
            max = le32(d + 14);
        } else {
            g_assert_cmphex(d[0], ==, 0x8a);
            min = le32(d + 14) | (uint64_t)le32(d + 18) << 32;
            max = le32(d + 22) | (uint64_t)le32(d + 26) << 32;
        }
        /* Bridges produce their windows (general flags bit 0 clear). */
        g_assert_cmpuint(d[4] & 1, ==, 0);
        if (d[3] == 2) {
            bus |= min == 0 && max == 0xff;
        } else if (d[3] == 1) {
            io_lo |= min == 0 && max == 0xcf7;
            io_hi |= min == 0xd00 && max == 0xffff;
        } else if (d[3] == 0) {
            vga |= min == 0xa0000 && max == 0xbffff;
            /* 512 MiB of RAM: the hole runs from there to the I/O APIC. */
            hole |= min == 0x20000000 && max == 0xfebfffff;
            /* No RAM above 4 GiB: QEMU's 2 GiB 64-bit window starts at 4 GiB. */
            hole64 |= min == 0x100000000ull && max == 0x17fffffffull;
        }
        i += 3 + len;
    }
    g_assert_true(bus && io_lo && io_hi && vga && hole && hole64);

    /* _PRT: 128 entries, every (slot, pin) once, each naming a PNP0C0F link. */
    AmlObj *prt = ns_find("\\_SB_.PCI0._PRT");
    g_assert_nonnull(prt);
    const uint8_t *p = prt->start;
    g_assert_cmphex(*p++, ==, 0x12);
    pkg_length(&p);
    g_assert_cmpuint(*p++, ==, 128);
    bool seen[32][4] = { { false } };
    for (int n = 0; n < 128; n++) {
        g_assert_cmphex(*p++, ==, 0x12);
        const uint8_t *pl = p;
        const uint8_t *end = pl + pkg_length(&p);
        g_assert_cmpuint(*p++, ==, 4);
        uint64_t addr = int_const(&p);
        uint64_t pin = int_const(&p);
        g_autofree char *link = name_string(&p, "\\_SB_.PCI0");
        uint64_t index = int_const(&p);
        g_assert_true(p == end);
        g_assert_cmphex(addr & 0xffff, ==, 0xffff);          /* all functions */
        g_assert_cmpuint(addr >> 16, <, 32);
        g_assert_cmpuint(pin, <, 4);
        g_assert_false(seen[addr >> 16][pin]);
        seen[addr >> 16][pin] = true;
        g_assert_cmpuint(index, ==, 0);
        AmlObj *l = resolve(link, "\\_SB_.PCI0");
        g_assert_nonnull(l);
        g_autofree char *hid = g_strconcat(l->path, "._HID", NULL);
        g_assert_cmphex(aml_eval(s, hid, NULL).i, ==, 0x0f0cd041);   /* PNP0C0F */
    }
    qtest_quit(s);
}

/* The link the _PRT names for @slot / INTx @pin (0 = INTA). */
static char *prt_link(int slot, int pin)
{
    AmlObj *prt = ns_find("\\_SB_.PCI0._PRT");
    const uint8_t *p = prt->start + 1;
    pkg_length(&p);
    p++;
    for (int n = 0; n < 128; n++) {
        p++;
        const uint8_t *pl = p;
        const uint8_t *end = pl + pkg_length(&p);
        p++;
        uint64_t addr = int_const(&p);
        uint64_t pn = int_const(&p);
        char *link = name_string(&p, "\\_SB_.PCI0");
        if ((int)(addr >> 16) == slot && (int)pn == pin) {
            AmlObj *l = resolve(link, "\\_SB_.PCI0");
            g_free(link);
            return g_strdup(l->path);
        }
        g_free(link);
        p = end;
    }
    g_assert_not_reached();
}

static Val link_call(QTestState *s, const char *link, const char *method, Val *arg)
{
    g_autofree char *path = g_strconcat(link, ".", method, NULL);
    return aml_eval(s, path, arg);
}

/* End to end: a device's INTx reaches the IRQ its link was set to. */
static void test_links_route(void)
{
    static const struct {
        int slot, pin;      /* pin: emu-pci-testdev's intx-pin, 1 = INTA */
    } devs[] = { { 3, 1 }, { 4, 2 }, { 6, 3 }, { 8, 4 }, { 12, 1 } };
    QTestState *s = qtest_init("-machine pc -device emu-pci-testdev,addr=03.0 "
                               "-device emu-pci-testdev,addr=04.0,intx-pin=2 "
                               "-device emu-pci-testdev,addr=06.0,intx-pin=3 "
                               "-device emu-pci-testdev,addr=08.0,intx-pin=4 "
                               "-device emu-pci-testdev,addr=0c.0");
    qtest_irq_intercept_in(s, "/machine/gsi");
    load_dsdt(s);

    for (size_t i = 0; i < G_N_ELEMENTS(devs); i++) {
        int slot = devs[i].slot;
        uint16_t io = 0xc000 + slot * 0x100;
        cfg_writel(s, BDF(slot, 0), PCI_BASE_ADDRESS_0, io);
        cfg_writew(s, BDF(slot, 0), PCI_COMMAND, PCI_COMMAND_IO);
        g_assert_cmpuint(cfg_readb(s, BDF(slot, 0), PCI_INTERRUPT_PIN), ==, devs[i].pin);

        g_autofree char *link = prt_link(slot, devs[i].pin - 1);
        g_autoptr(GArray) irqs = prs_irqs(link_call(s, link, "_PRS", NULL));
        g_assert_cmpuint(irqs->len, >=, 1);
        for (guint k = 0; k < irqs->len; k++) {
            uint32_t irq = g_array_index(irqs, uint32_t, k);
            /* _SRS takes a _PRS-shaped template naming one interrupt. */
            Val srs = link_call(s, link, "_PRS", NULL);
            srs.buf->data[4] = 1;
            srs.buf->data[5] = irq;
            srs.buf->data[6] = srs.buf->data[7] = srs.buf->data[8] = 0;
            link_call(s, link, "_SRS", &srs);
            g_assert_cmpuint(link_call(s, link, "_STA", NULL).i & 0x0b, ==, 0x0b);
            g_assert_cmpuint(crs_irq(link_call(s, link, "_CRS", NULL)), ==, irq);

            g_assert_false(qtest_get_irq(s, irq));
            qtest_outl(s, io + PCITESTDEV_REG_INTX, 1);
            g_assert_true(qtest_get_irq(s, irq));
            qtest_outl(s, io + PCITESTDEV_REG_INTX, 0);
            g_assert_false(qtest_get_irq(s, irq));
        }
        /* _DIS: the link is off and the INTx reaches no ISA IRQ. */
        link_call(s, link, "_DIS", NULL);
        g_assert_cmpuint(link_call(s, link, "_STA", NULL).i & 0x02, ==, 0);
        qtest_outl(s, io + PCITESTDEV_REG_INTX, 1);
        for (int irq = 0; irq < 16; irq++) {
            g_assert_false(qtest_get_irq(s, irq));
        }
        qtest_outl(s, io + PCITESTDEV_REG_INTX, 0);
    }

    /* Slot 1 INTA (PIIX4 PM) is the SCI: a fixed link on IRQ 9. */
    g_autofree char *sci = prt_link(1, 0);
    g_assert_cmpuint(crs_irq(link_call(s, sci, "_CRS", NULL)), ==, 9);
    qtest_quit(s);
}

/* PIRQRC written by "firmware" (the test): the links' _CRS and _STA follow. */
static void test_links_follow_pirqrc(void)
{
    QTestState *s = qtest_init("-machine pc");
    load_dsdt(s);
    static const uint8_t vals[][4] = {
        { 0x0a, 0x0b, 0x05, 0x80 },
        { 0x80, 0x05, 0x0b, 0x0a },
        { 0x0b, 0x80, 0x80, 0x05 },
    };
    /* Which link is PIRQ n: the one INTA of slot n + 1 uses (PIIX3 swizzle,
     * PIRQ = (slot + pin - 1) mod 4, slots 2-5 INTA being PIRQB, C, D, A). */
    char *lnk[4];
    for (int n = 0; n < 4; n++) {
        lnk[n] = prt_link(((n + 3) & 3) + 2, 0);
        for (int m = 0; m < n; m++) {
            g_assert_cmpstr(lnk[n], !=, lnk[m]);
        }
    }
    for (size_t v = 0; v < G_N_ELEMENTS(vals); v++) {
        for (int n = 0; n < 4; n++) {
            cfg_writeb(s, PIIX3, PIRQRC + n, vals[v][n]);
        }
        for (int n = 0; n < 4; n++) {
            bool off = vals[v][n] & 0x80;
            uint64_t sta = link_call(s, lnk[n], "_STA", NULL).i;
            g_assert_cmphex(sta & 0x02, ==, off ? 0 : 0x02);
            uint32_t irq = crs_irq(link_call(s, lnk[n], "_CRS", NULL));
            g_assert_cmpuint(irq, ==, off ? 0 : vals[v][n]);
        }
    }
    /* _DIS sets IRQROUTEN in the register, nothing else. */
    cfg_writeb(s, PIIX3, PIRQRC + 2, 0x0b);
    link_call(s, lnk[2], "_DIS", NULL);
    g_assert_cmphex(cfg_readb(s, PIIX3, PIRQRC + 2), ==, 0x8b);
    for (int n = 0; n < 4; n++) {
        g_free(lnk[n]);
    }
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/acpi-pci/pci0", test_pci0);
    g_test_add_func("/acpi-pci/links-route", test_links_route);
    g_test_add_func("/acpi-pci/links-follow-pirqrc", test_links_follow_pirqrc);
    return g_test_run();
}
