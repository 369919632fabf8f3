/*
 * Migration descriptions. A VMStateDescription lists the fields of a device's
 * state struct; one description serves savevm/loadvm, -incoming and live
 * migration. Declare it next to the state struct:
 *
 *   static const VMStateDescription vmstate_foo = {
 *       .name = "foo", .version_id = 1, .minimum_version_id = 1,
 *       .fields = (const VMStateField[]) {
 *           VMSTATE_UINT8(reg, FooState),
 *           VMSTATE_UINT32_ARRAY(fifo, FooState, 16),
 *           VMSTATE_TIMER_PTR(timer, FooState),
 *           VMSTATE_END_OF_LIST()
 *       },
 *   };
 *
 * The stream is QEMU-like: fields in order, big-endian, then each subsection
 * whose needed() is true as 0x05, its name, its version and its fields. Loading
 * checks versions and names, never trusts a count or length from the stream
 * beyond the destination's size, and reports problems as errors.
 */
#ifndef MIGRATION_VMSTATE_H
#define MIGRATION_VMSTATE_H

#include "util/osdep.h"
#include "util/error.h"
#include "migration/emufile.h"

typedef struct VMStateDescription VMStateDescription;

typedef enum {
    VMS_BOOL,
    VMS_U8, VMS_U16, VMS_U32, VMS_U64,
    VMS_I8, VMS_I16, VMS_I32, VMS_I64,
    VMS_BUFFER,       /* @size raw bytes */
    VMS_STRUCT,       /* a nested description */
    VMS_TIMER_PTR,    /* EmuTimer *: its expiry time (or -1) */
} VMStateKind;

typedef struct VMStateField {
    const char *name;
    VMStateKind kind;
    size_t offset;
    size_t size;                       /* one element */
    unsigned num;                      /* array length (1 for a scalar) */
    const VMStateDescription *vmsd;    /* VMS_STRUCT */
    int version_id;                    /* present in streams of this version and later */
    bool (*field_exists)(void *opaque, int version_id);
} VMStateField;

struct VMStateDescription {
    const char *name;
    int version_id;
    int minimum_version_id;
    int (*pre_save)(void *opaque);
    int (*pre_load)(void *opaque);
    int (*post_load)(void *opaque, int version_id);
    /* Subsections: sent only when needed() says so. */
    bool (*needed)(void *opaque);
    const VMStateField *fields;
    const VMStateDescription *const *subsections;   /* NULL-terminated */
};

#define VMSTATE_TYPE_CHECK_(S, f, ctype) \
    (sizeof(char[__builtin_types_compatible_p(ctype, typeof(((S *)0)->f)) ? 1 : -1]) - 1)
#define VMSTATE_SCALAR_(f, S, k, ctype, v) \
    { .name = #f, .kind = (k), .offset = offsetof(S, f) + VMSTATE_TYPE_CHECK_(S, f, ctype), \
      .size = sizeof(ctype), .num = 1, .version_id = (v) }
#define VMSTATE_ARRAY_(f, S, n, k, ctype, v) \
    { .name = #f, .kind = (k), \
      .offset = offsetof(S, f) + VMSTATE_TYPE_CHECK_(S, f, ctype[n]), \
      .size = sizeof(ctype), .num = (n), .version_id = (v) }

#define VMSTATE_BOOL_V(f, S, v) VMSTATE_SCALAR_(f, S, VMS_BOOL, bool, v)
#define VMSTATE_UINT8_V(f, S, v) VMSTATE_SCALAR_(f, S, VMS_U8, uint8_t, v)
#define VMSTATE_UINT16_V(f, S, v) VMSTATE_SCALAR_(f, S, VMS_U16, uint16_t, v)
#define VMSTATE_UINT32_V(f, S, v) VMSTATE_SCALAR_(f, S, VMS_U32, uint32_t, v)
#define VMSTATE_UINT64_V(f, S, v) VMSTATE_SCALAR_(f, S, VMS_U64, uint64_t, v)
#define VMSTATE_INT8_V(f, S, v) VMSTATE_SCALAR_(f, S, VMS_I8, int8_t, v)
#define VMSTATE_INT16_V(f, S, v) VMSTATE_SCALAR_(f, S, VMS_I16, int16_t, v)
#define VMSTATE_INT32_V(f, S, v) VMSTATE_SCALAR_(f, S, VMS_I32, int32_t, v)
#define VMSTATE_INT64_V(f, S, v) VMSTATE_SCALAR_(f, S, VMS_I64, int64_t, v)
#define VMSTATE_BOOL(f, S) VMSTATE_BOOL_V(f, S, 0)
#define VMSTATE_UINT8(f, S) VMSTATE_UINT8_V(f, S, 0)
#define VMSTATE_UINT16(f, S) VMSTATE_UINT16_V(f, S, 0)
#define VMSTATE_UINT32(f, S) VMSTATE_UINT32_V(f, S, 0)
#define VMSTATE_UINT64(f, S) VMSTATE_UINT64_V(f, S, 0)
#define VMSTATE_INT8(f, S) VMSTATE_INT8_V(f, S, 0)
#define VMSTATE_INT16(f, S) VMSTATE_INT16_V(f, S, 0)
#define VMSTATE_INT32(f, S) VMSTATE_INT32_V(f, S, 0)
#define VMSTATE_INT64(f, S) VMSTATE_INT64_V(f, S, 0)
/* An int holding an enum or a small counter. */
#define VMSTATE_INT(f, S) \
    { .name = #f, .kind = VMS_I32, .offset = offsetof(S, f) + VMSTATE_TYPE_CHECK_(S, f, int), \
      .size = sizeof(int), .num = 1 }

#define VMSTATE_BOOL_ARRAY(f, S, n) VMSTATE_ARRAY_(f, S, n, VMS_BOOL, bool, 0)
#define VMSTATE_UINT8_ARRAY(f, S, n) VMSTATE_ARRAY_(f, S, n, VMS_U8, uint8_t, 0)
#define VMSTATE_UINT16_ARRAY(f, S, n) VMSTATE_ARRAY_(f, S, n, VMS_U16, uint16_t, 0)
#define VMSTATE_UINT32_ARRAY(f, S, n) VMSTATE_ARRAY_(f, S, n, VMS_U32, uint32_t, 0)
#define VMSTATE_UINT64_ARRAY(f, S, n) VMSTATE_ARRAY_(f, S, n, VMS_U64, uint64_t, 0)
#define VMSTATE_INT32_ARRAY(f, S, n) VMSTATE_ARRAY_(f, S, n, VMS_I32, int32_t, 0)
#define VMSTATE_INT64_ARRAY(f, S, n) VMSTATE_ARRAY_(f, S, n, VMS_I64, int64_t, 0)

/* Raw bytes of a fixed-size member (an array of uint8_t or a packed struct). */
#define VMSTATE_BUFFER(f, S) \
    { .name = #f, .kind = VMS_BUFFER, .offset = offsetof(S, f), \
      .size = sizeof(((S *)0)->f), .num = 1 }

#define VMSTATE_STRUCT(f, S, v, desc, T) \
    { .name = #f, .kind = VMS_STRUCT, .offset = offsetof(S, f) + VMSTATE_TYPE_CHECK_(S, f, T), \
      .size = sizeof(T), .num = 1, .vmsd = &(desc), .version_id = (v) }
#define VMSTATE_STRUCT_ARRAY(f, S, n, v, desc, T) \
    { .name = #f, .kind = VMS_STRUCT, \
      .offset = offsetof(S, f) + VMSTATE_TYPE_CHECK_(S, f, T[n]), \
      .size = sizeof(T), .num = (n), .vmsd = &(desc), .version_id = (v) }

#define VMSTATE_TIMER_PTR(f, S) \
    { .name = #f, .kind = VMS_TIMER_PTR, \
      .offset = offsetof(S, f) + VMSTATE_TYPE_CHECK_(S, f, struct EmuTimer *), \
      .size = sizeof(void *), .num = 1 }

#define VMSTATE_END_OF_LIST() { .name = NULL }

#define VMS_SUBSECTION_MARKER 0x05

bool vmstate_save(EmuFile *f, const VMStateDescription *vmsd, void *opaque,
                  Error **errp);
/* @version_id: the version the stream was written with. */
bool vmstate_load(EmuFile *f, const VMStateDescription *vmsd, void *opaque,
                  int version_id, Error **errp);

/*
 * Tests: save @src, load into @dst (same type, e.g. a freshly reset device), save
 * @dst again; true when both streams are byte-identical. @errp says where they
 * first differ.
 */
bool vmstate_roundtrip(const VMStateDescription *vmsd, void *src, void *dst,
                       Error **errp);

#endif
