/*
 * AML encoder. Section numbers are from ACPI 6.5 chapter 20 (AML grammar) and
 * §6.4 (resource descriptors).
 */
#include "hw/acpi/aml.h"

/* Opcodes (§20.3). */
#define AML_ZERO_OP 0x00
#define AML_ONE_OP 0x01
#define AML_NAME_OP 0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_STRING_PREFIX 0x0d
#define AML_QWORD_PREFIX 0x0e
#define AML_SCOPE_OP 0x10
#define AML_BUFFER_OP 0x11
#define AML_PACKAGE_OP 0x12
#define AML_METHOD_OP 0x14
#define AML_DUAL_NAME_PREFIX 0x2e
#define AML_MULTI_NAME_PREFIX 0x2f
#define AML_EXT_OP_PREFIX 0x5b
#define AML_EXT_DEVICE_OP 0x82
#define AML_EXT_REGION_OP 0x80
#define AML_EXT_FIELD_OP 0x81
#define AML_LOCAL0_OP 0x60
#define AML_ARG0_OP 0x68
#define AML_STORE_OP 0x70
#define AML_AND_OP 0x7b
#define AML_OR_OP 0x7d
#define AML_CREATE_DWORD_FIELD_OP 0x8a
#define AML_LEQUAL_OP 0x93
#define AML_LLESS_OP 0x95
#define AML_IF_OP 0xa0
#define AML_RETURN_OP 0xa4
#define AML_ONES_OP 0xff

typedef enum {
    AML_PLAIN,       /* bytes as they are */
    AML_BLOCK,       /* head, PkgLength, body */
    AML_RESOURCES,   /* Buffer whose body is resource descriptors + End Tag */
} AmlKind;

struct Aml {
    AmlKind kind;
    GByteArray *head;   /* opcode(s) before the PkgLength */
    GByteArray *body;
};

static Aml *aml_new(AmlKind kind)
{
    Aml *a = g_new0(Aml, 1);
    a->kind = kind;
    a->head = g_byte_array_new();
    a->body = g_byte_array_new();
    return a;
}

static void aml_free(Aml *a)
{
    g_byte_array_unref(a->head);
    g_byte_array_unref(a->body);
    g_free(a);
}

static void append_byte(GByteArray *buf, uint8_t b)
{
    g_byte_array_append(buf, &b, 1);
}

void build_append_int_noprefix(GByteArray *buf, uint64_t value, unsigned size)
{
    for (unsigned i = 0; i < size; i++) {
        append_byte(buf, i < 8 ? value >> (8 * i) : 0);
    }
}

void build_append_pkg_length(GByteArray *buf, size_t length)
{
    /*
     * The encoding counts its own 1-4 bytes. One byte holds 6 bits; longer
     * forms hold 4 bits in the lead byte plus 8 per following byte (§20.2.4).
     */
    unsigned nbytes;
    size_t total = 0;
    for (nbytes = 1; nbytes <= 4; nbytes++) {
        size_t limit = nbytes == 1 ? 0x40 : (size_t)1 << (4 + 8 * (nbytes - 1));
        total = length + nbytes;
        if (total < limit) {
            break;
        }
    }
    g_assert(nbytes <= 4);
    if (nbytes == 1) {
        append_byte(buf, total);
        return;
    }
    append_byte(buf, ((nbytes - 1) << 6) | (total & 0xf));
    for (unsigned i = 1; i < nbytes; i++) {
        append_byte(buf, total >> (4 + 8 * (i - 1)));
    }
}

static void append_nameseg(GByteArray *buf, const char *seg, size_t len)
{
    /* NameSegs are 4 characters, padded with '_' (§20.2.2). */
    g_assert(len >= 1 && len <= 4);
    for (size_t i = 0; i < 4; i++) {
        append_byte(buf, i < len ? seg[i] : '_');
    }
}

void build_append_namestring(GByteArray *buf, const char *path)
{
    const char *p = path;

    if (*p == '\\') {
        append_byte(buf, '\\');
        p++;
    }
    while (*p == '^') {
        append_byte(buf, '^');
        p++;
    }
    if (!*p) {
        append_byte(buf, 0x00);    /* NullName */
        return;
    }
    g_auto(GStrv) segs = g_strsplit(p, ".", -1);
    guint n = g_strv_length(segs);
    g_assert(n <= 255);
    if (n == 2) {
        append_byte(buf, AML_DUAL_NAME_PREFIX);
    } else if (n > 2) {
        append_byte(buf, AML_MULTI_NAME_PREFIX);
        append_byte(buf, n);
    }
    for (guint i = 0; i < n; i++) {
        append_nameseg(buf, segs[i], strlen(segs[i]));
    }
}

/* Encode @a into @out. */
static void aml_encode(Aml *a, GByteArray *out)
{
    switch (a->kind) {
    case AML_PLAIN:
        g_byte_array_append(out, a->body->data, a->body->len);
        break;
    case AML_BLOCK:
        g_byte_array_append(out, a->head->data, a->head->len);
        build_append_pkg_length(out, a->body->len);
        g_byte_array_append(out, a->body->data, a->body->len);
        break;
    case AML_RESOURCES: {
        /* End Tag with checksum 0, which means "don't check" (§6.4.2.9). */
        static const uint8_t end_tag[] = { 0x79, 0x00 };
        g_autoptr(GByteArray) inner = g_byte_array_new();
        Aml *size = aml_int(a->body->len + sizeof(end_tag));
        aml_encode(size, inner);
        aml_free(size);
        g_byte_array_append(inner, a->body->data, a->body->len);
        g_byte_array_append(inner, end_tag, sizeof(end_tag));
        append_byte(out, AML_BUFFER_OP);
        build_append_pkg_length(out, inner->len);
        g_byte_array_append(out, inner->data, inner->len);
        break;
    }
    }
}

Aml *aml_root(void)
{
    return aml_new(AML_PLAIN);
}

GByteArray *aml_finish(Aml *root)
{
    GByteArray *out = g_byte_array_new();
    aml_encode(root, out);
    aml_free(root);
    return out;
}

void aml_append(Aml *parent, Aml *child)
{
    aml_encode(child, parent->body);
    aml_free(child);
}

Aml *aml_int(uint64_t value)
{
    Aml *a = aml_new(AML_PLAIN);

    if (value == 0) {
        append_byte(a->body, AML_ZERO_OP);
    } else if (value == 1) {
        append_byte(a->body, AML_ONE_OP);
    } else if (value == UINT64_MAX) {
        append_byte(a->body, AML_ONES_OP);
    } else if (value <= 0xff) {
        append_byte(a->body, AML_BYTE_PREFIX);
        build_append_int_noprefix(a->body, value, 1);
    } else if (value <= 0xffff) {
        append_byte(a->body, AML_WORD_PREFIX);
        build_append_int_noprefix(a->body, value, 2);
    } else if (value <= 0xffffffff) {
        append_byte(a->body, AML_DWORD_PREFIX);
        build_append_int_noprefix(a->body, value, 4);
    } else {
        append_byte(a->body, AML_QWORD_PREFIX);
        build_append_int_noprefix(a->body, value, 8);
    }
    return a;
}

Aml *aml_string(const char *str)
{
    Aml *a = aml_new(AML_PLAIN);
    append_byte(a->body, AML_STRING_PREFIX);
    g_byte_array_append(a->body, (const uint8_t *)str, strlen(str) + 1);
    return a;
}

Aml *aml_eisaid(const char *id)
{
    /*
     * Three letters of 5 bits ('A' = 1) and four hex digits, stored so that
     * the bytes read in order: "PNP0303" -> 41 d0 03 03.
     */
    g_assert(strlen(id) == 7);
    uint32_t v = ((id[0] - '@') & 0x1f) << 26 | ((id[1] - '@') & 0x1f) << 21 |
                 ((id[2] - '@') & 0x1f) << 16 |
                 (uint32_t)strtoul(id + 3, NULL, 16);
    Aml *a = aml_new(AML_PLAIN);
    append_byte(a->body, AML_DWORD_PREFIX);
    append_byte(a->body, v >> 24);
    append_byte(a->body, v >> 16);
    append_byte(a->body, v >> 8);
    append_byte(a->body, v);
    return a;
}

Aml *aml_name(const char *path)
{
    Aml *a = aml_new(AML_PLAIN);
    build_append_namestring(a->body, path);
    return a;
}

Aml *aml_name_decl(const char *name, Aml *value)
{
    Aml *a = aml_new(AML_PLAIN);
    append_byte(a->body, AML_NAME_OP);
    build_append_namestring(a->body, name);
    aml_append(a, value);
    return a;
}

static Aml *aml_named_block(const uint8_t *op, size_t oplen, const char *path)
{
    Aml *a = aml_new(AML_BLOCK);
    g_byte_array_append(a->head, op, oplen);
    build_append_namestring(a->body, path);
    return a;
}

Aml *aml_scope(const char *path)
{
    static const uint8_t op[] = { AML_SCOPE_OP };
    return aml_named_block(op, sizeof(op), path);
}

Aml *aml_device(const char *path)
{
    static const uint8_t op[] = { AML_EXT_OP_PREFIX, AML_EXT_DEVICE_OP };
    return aml_named_block(op, sizeof(op), path);
}

Aml *aml_method(const char *name, unsigned nargs, bool serialized)
{
    static const uint8_t op[] = { AML_METHOD_OP };
    g_assert(nargs <= 7);
    Aml *a = aml_named_block(op, sizeof(op), name);
    /* MethodFlags: ArgCount bits 0-2, SerializeFlag bit 3, SyncLevel 0. */
    append_byte(a->body, nargs | (serialized ? 1 << 3 : 0));
    return a;
}

Aml *aml_return(Aml *value)
{
    Aml *a = aml_new(AML_PLAIN);
    append_byte(a->body, AML_RETURN_OP);
    aml_append(a, value);
    return a;
}

Aml *aml_package(uint8_t num_elements)
{
    Aml *a = aml_new(AML_BLOCK);
    append_byte(a->head, AML_PACKAGE_OP);
    append_byte(a->body, num_elements);
    return a;
}

Aml *aml_resource_template(void)
{
    return aml_new(AML_RESOURCES);
}

Aml *aml_io(uint16_t min, uint16_t max, uint8_t align, uint8_t len)
{
    Aml *a = aml_new(AML_PLAIN);
    append_byte(a->body, 0x47);              /* small item 0x08, 7 bytes */
    append_byte(a->body, 0x01);              /* decodes 16 address lines */
    build_append_int_noprefix(a->body, min, 2);
    build_append_int_noprefix(a->body, max, 2);
    append_byte(a->body, align);
    append_byte(a->body, len);
    return a;
}

Aml *aml_irq_no_flags(uint8_t irq)
{
    g_assert(irq < 16);
    Aml *a = aml_new(AML_PLAIN);
    append_byte(a->body, 0x22);              /* small item 0x04, 2 bytes */
    build_append_int_noprefix(a->body, 1u << irq, 2);
    return a;
}

/* ---- address space and interrupt descriptors (§6.4.3) ---- */

/* General flags: MaxFixed, MinFixed, PosDecode, producer (§6.4.3.5.1). */
#define ADDR_GEN_FLAGS 0x0c
#define ADDR_TYPE_MEMORY 0
#define ADDR_TYPE_IO 1
#define ADDR_TYPE_BUS 2
#define ADDR_MEM_RW 0x01
#define ADDR_MEM_CACHEABLE (1u << 1)
#define ADDR_IO_ENTIRE_RANGE 0x03

/*
 * Large item @tag holding type, flags, type-specific flags, then granularity,
 * min, max, translation and length, each @size bytes.
 */
static Aml *aml_address_space(uint8_t tag, unsigned size, uint8_t type, uint8_t tflags,
                              uint64_t min, uint64_t max)
{
    Aml *a = aml_new(AML_PLAIN);
    append_byte(a->body, tag);
    build_append_int_noprefix(a->body, 3 + 5 * size, 2);
    append_byte(a->body, type);
    append_byte(a->body, ADDR_GEN_FLAGS);
    append_byte(a->body, tflags);
    build_append_int_noprefix(a->body, 0, size);          /* granularity */
    build_append_int_noprefix(a->body, min, size);
    build_append_int_noprefix(a->body, max, size);
    build_append_int_noprefix(a->body, 0, size);          /* translation offset */
    build_append_int_noprefix(a->body, max - min + 1, size);
    return a;
}

Aml *aml_word_bus_number(uint16_t min, uint16_t max)
{
    return aml_address_space(0x88, 2, ADDR_TYPE_BUS, 0, min, max);
}

Aml *aml_dword_io(uint32_t min, uint32_t max)
{
    return aml_address_space(0x87, 4, ADDR_TYPE_IO, ADDR_IO_ENTIRE_RANGE, min, max);
}

Aml *aml_dword_memory(bool cacheable, uint32_t min, uint32_t max)
{
    return aml_address_space(0x87, 4, ADDR_TYPE_MEMORY,
                             ADDR_MEM_RW | (cacheable ? ADDR_MEM_CACHEABLE : 0), min, max);
}

Aml *aml_qword_memory(bool cacheable, uint64_t min, uint64_t max)
{
    return aml_address_space(0x8a, 8, ADDR_TYPE_MEMORY,
                             ADDR_MEM_RW | (cacheable ? ADDR_MEM_CACHEABLE : 0), min, max);
}

Aml *aml_interrupt_level_shared(const uint32_t *irqs, unsigned n)
{
    g_assert(n >= 1 && n <= 255);
    Aml *a = aml_new(AML_PLAIN);
    append_byte(a->body, 0x89);
    build_append_int_noprefix(a->body, 2 + 4 * n, 2);
    /* Consumer (bit 0), level (bit 1 clear), active high (bit 2 clear), shared. */
    append_byte(a->body, 0x01 | 0x08);
    append_byte(a->body, n);
    for (unsigned i = 0; i < n; i++) {
        build_append_int_noprefix(a->body, irqs[i], 4);
    }
    return a;
}

/* ---- method terms ---- */

static Aml *aml_opcode(uint8_t op)
{
    Aml *a = aml_new(AML_PLAIN);
    append_byte(a->body, op);
    return a;
}

Aml *aml_arg(unsigned n)
{
    g_assert(n <= 6);
    return aml_opcode(AML_ARG0_OP + n);
}

Aml *aml_local(unsigned n)
{
    g_assert(n <= 7);
    return aml_opcode(AML_LOCAL0_OP + n);
}

Aml *aml_store(Aml *src, Aml *dst)
{
    Aml *a = aml_opcode(AML_STORE_OP);
    aml_append(a, src);
    aml_append(a, dst);
    return a;
}

static Aml *aml_binary(uint8_t op, Aml *x, Aml *y, Aml *target)
{
    Aml *a = aml_opcode(op);
    aml_append(a, x);
    aml_append(a, y);
    if (target) {
        aml_append(a, target);
    } else {
        append_byte(a->body, 0x00);           /* NullName: no target */
    }
    return a;
}

Aml *aml_and(Aml *x, Aml *y, Aml *target)
{
    return aml_binary(AML_AND_OP, x, y, target);
}

Aml *aml_or(Aml *x, Aml *y, Aml *target)
{
    return aml_binary(AML_OR_OP, x, y, target);
}

Aml *aml_lless(Aml *x, Aml *y)
{
    Aml *a = aml_opcode(AML_LLESS_OP);
    aml_append(a, x);
    aml_append(a, y);
    return a;
}

Aml *aml_lequal(Aml *x, Aml *y)
{
    Aml *a = aml_opcode(AML_LEQUAL_OP);
    aml_append(a, x);
    aml_append(a, y);
    return a;
}

Aml *aml_if(Aml *predicate)
{
    Aml *a = aml_new(AML_BLOCK);
    append_byte(a->head, AML_IF_OP);
    aml_append(a, predicate);
    return a;
}

Aml *aml_create_dword_field(Aml *buf, Aml *byte_index, const char *name)
{
    Aml *a = aml_opcode(AML_CREATE_DWORD_FIELD_OP);
    aml_append(a, buf);
    aml_append(a, byte_index);
    build_append_namestring(a->body, name);
    return a;
}

Aml *aml_operation_region(const char *name, uint8_t space, uint64_t offset, uint32_t len)
{
    Aml *a = aml_new(AML_PLAIN);
    append_byte(a->body, AML_EXT_OP_PREFIX);
    append_byte(a->body, AML_EXT_REGION_OP);
    build_append_namestring(a->body, name);
    append_byte(a->body, space);
    aml_append(a, aml_int(offset));
    aml_append(a, aml_int(len));
    return a;
}

Aml *aml_field_byte_acc(const char *region)
{
    static const uint8_t op[] = { AML_EXT_OP_PREFIX, AML_EXT_FIELD_OP };
    Aml *a = aml_named_block(op, sizeof(op), region);
    /* FieldFlags: AccessType ByteAcc (1), LockRule NoLock, UpdateRule Preserve. */
    append_byte(a->body, 0x01);
    return a;
}

Aml *aml_named_field(const char *name, unsigned bits)
{
    Aml *a = aml_new(AML_PLAIN);
    append_nameseg(a->body, name, strlen(name));
    /* The width is a PkgLength that does not count itself (§20.2.5.2). */
    if (bits < 0x40) {
        append_byte(a->body, bits);
    } else {
        g_assert(bits < (1u << 12));
        append_byte(a->body, 0x40 | (bits & 0xf));
        append_byte(a->body, bits >> 4);
    }
    return a;
}
