/* Saving and loading device state from VMStateDescriptions. */
#include "migration/vmstate.h"
#include "util/timer.h"

static bool field_present(const VMStateField *field, void *opaque, int version_id)
{
    if (field->field_exists) {
        return field->field_exists(opaque, version_id);
    }
    return field->version_id <= version_id;
}

static void put_scalar(EmuFile *f, VMStateKind kind, const void *p)
{
    switch (kind) {
    case VMS_BOOL: emufile_put_byte(f, *(const bool *)p); break;
    case VMS_U8: case VMS_I8: emufile_put_byte(f, *(const uint8_t *)p); break;
    case VMS_U16: case VMS_I16: emufile_put_be16(f, *(const uint16_t *)p); break;
    case VMS_U32: case VMS_I32: emufile_put_be32(f, *(const uint32_t *)p); break;
    case VMS_U64: case VMS_I64: emufile_put_be64(f, *(const uint64_t *)p); break;
    case VMS_TIMER_PTR: {
        EmuTimer *t = *(EmuTimer *const *)p;
        emufile_put_be64(f, t ? (uint64_t)timer_expire_time_ns(t) : (uint64_t)-1);
        break;
    }
    default:
        g_assert_not_reached();
    }
}

static bool get_scalar(EmuFile *f, const VMStateField *field, void *p, Error **errp)
{
    switch (field->kind) {
    case VMS_BOOL: {
        uint8_t b = emufile_get_byte(f);
        if (b > 1) {
            error_setg(errp, "field '%s': %u is not a boolean", field->name, b);
            return false;
        }
        *(bool *)p = b;
        break;
    }
    case VMS_U8: case VMS_I8: *(uint8_t *)p = emufile_get_byte(f); break;
    case VMS_U16: case VMS_I16: *(uint16_t *)p = emufile_get_be16(f); break;
    case VMS_U32: case VMS_I32: *(uint32_t *)p = emufile_get_be32(f); break;
    case VMS_U64: case VMS_I64: *(uint64_t *)p = emufile_get_be64(f); break;
    case VMS_TIMER_PTR: {
        int64_t expire = (int64_t)emufile_get_be64(f);
        EmuTimer *t = *(EmuTimer **)p;
        if (!t) {
            error_setg(errp, "field '%s': the destination has no timer", field->name);
            return false;
        }
        if (expire < 0) {
            timer_del(t);
        } else {
            timer_mod_ns(t, expire);
        }
        break;
    }
    default:
        g_assert_not_reached();
    }
    return true;
}

static bool save_fields(EmuFile *f, const VMStateDescription *vmsd, void *opaque,
                        Error **errp);
static bool load_fields(EmuFile *f, const VMStateDescription *vmsd, void *opaque,
                        int version_id, Error **errp);

static bool save_fields(EmuFile *f, const VMStateDescription *vmsd, void *opaque,
                        Error **errp)
{
    if (vmsd->pre_save && vmsd->pre_save(opaque) < 0) {
        error_setg(errp, "%s: pre_save failed", vmsd->name);
        return false;
    }
    for (const VMStateField *field = vmsd->fields; field && field->name; field++) {
        if (!field_present(field, opaque, vmsd->version_id)) {
            continue;
        }
        for (unsigned i = 0; i < field->num; i++) {
            void *p = (char *)opaque + field->offset + i * field->size;
            if (field->kind == VMS_BUFFER) {
                emufile_put_buffer(f, p, field->size);
            } else if (field->kind == VMS_STRUCT) {
                if (!save_fields(f, field->vmsd, p, errp)) {
                    error_prepend(errp, "%s.%s: ", vmsd->name, field->name);
                    return false;
                }
            } else {
                put_scalar(f, field->kind, p);
            }
        }
    }
    for (const VMStateDescription *const *sub = vmsd->subsections; sub && *sub; sub++) {
        if ((*sub)->needed && !(*sub)->needed(opaque)) {
            continue;
        }
        emufile_put_byte(f, VMS_SUBSECTION_MARKER);
        emufile_put_string(f, (*sub)->name);
        emufile_put_be32(f, (*sub)->version_id);
        if (!save_fields(f, *sub, opaque, errp)) {
            return false;
        }
    }
    if (emufile_error(f)) {
        error_setg(errp, "%s: %s", vmsd->name, emufile_error(f));
        return false;
    }
    return true;
}

static const VMStateDescription *find_subsection(const VMStateDescription *vmsd,
                                                 const char *name)
{
    for (const VMStateDescription *const *sub = vmsd->subsections; sub && *sub; sub++) {
        if (!strcmp((*sub)->name, name)) {
            return *sub;
        }
    }
    return NULL;
}

static bool load_fields(EmuFile *f, const VMStateDescription *vmsd, void *opaque,
                        int version_id, Error **errp)
{
    if (version_id > vmsd->version_id) {
        error_setg(errp, "%s: stream version %d is newer than this emu's %d", vmsd->name,
                   version_id, vmsd->version_id);
        return false;
    }
    if (version_id < vmsd->minimum_version_id) {
        error_setg(errp, "%s: stream version %d is older than the oldest supported (%d)",
                   vmsd->name, version_id, vmsd->minimum_version_id);
        return false;
    }
    if (vmsd->pre_load && vmsd->pre_load(opaque) < 0) {
        error_setg(errp, "%s: pre_load failed", vmsd->name);
        return false;
    }
    for (const VMStateField *field = vmsd->fields; field && field->name; field++) {
        if (!field_present(field, opaque, version_id)) {
            continue;
        }
        for (unsigned i = 0; i < field->num; i++) {
            void *p = (char *)opaque + field->offset + i * field->size;
            bool ok = true;
            if (field->kind == VMS_BUFFER) {
                emufile_get_buffer(f, p, field->size);
            } else if (field->kind == VMS_STRUCT) {
                ok = load_fields(f, field->vmsd, p, field->vmsd->version_id, errp);
            } else {
                ok = get_scalar(f, field, p, errp);
            }
            if (!ok) {
                error_prepend(errp, "%s.%s: ", vmsd->name, field->name);
                return false;
            }
            if (emufile_error(f)) {
                error_setg(errp, "%s.%s: %s", vmsd->name, field->name, emufile_error(f));
                return false;
            }
        }
    }
    /* Subsections: each one the stream has must be known here. */
    while (emufile_peek_byte(f) == VMS_SUBSECTION_MARKER) {
        emufile_get_byte(f);
        g_autofree char *name = emufile_get_string(f);
        uint32_t sub_version = emufile_get_be32(f);
        const VMStateDescription *sub = name ? find_subsection(vmsd, name) : NULL;
        if (!sub) {
            error_setg(errp, "%s: unknown subsection '%s'", vmsd->name,
                       name ? name : "(unreadable)");
            return false;
        }
        if (!load_fields(f, sub, opaque, sub_version, errp)) {
            return false;
        }
    }
    if (vmsd->post_load && vmsd->post_load(opaque, version_id) < 0) {
        error_setg(errp, "%s: post_load refused the state", vmsd->name);
        return false;
    }
    return true;
}

bool vmstate_save(EmuFile *f, const VMStateDescription *vmsd, void *opaque,
                  Error **errp)
{
    return save_fields(f, vmsd, opaque, errp);
}

bool vmstate_load(EmuFile *f, const VMStateDescription *vmsd, void *opaque,
                  int version_id, Error **errp)
{
    return load_fields(f, vmsd, opaque, version_id, errp);
}

bool vmstate_roundtrip(const VMStateDescription *vmsd, void *src, void *dst,
                       Error **errp)
{
    EmuFile *a = emufile_new_buffer();
    EmuFile *b = emufile_new_buffer();
    bool ok = vmstate_save(a, vmsd, src, errp);
    if (ok) {
        size_t len;
        const uint8_t *data = emufile_buffer(a, &len);
        EmuFile *r = emufile_new_reader(data, len);
        ok = vmstate_load(r, vmsd, dst, vmsd->version_id, errp);
        if (ok && emufile_peek_byte(r) != -1) {
            error_setg(errp, "%s: the load left bytes unread", vmsd->name);
            ok = false;
        }
        emufile_close(r);
    }
    ok = ok && vmstate_save(b, vmsd, dst, errp);
    if (ok) {
        size_t la, lb;
        const uint8_t *da = emufile_buffer(a, &la), *db = emufile_buffer(b, &lb);
        size_t n = MIN(la, lb), i = 0;
        while (i < n && da[i] == db[i]) {
            i++;
        }
        if (i < n || la != lb) {
            error_setg(errp, "%s: streams differ at byte %zu (lengths %zu and %zu)",
                       vmsd->name, i, la, lb);
            ok = false;
        }
    }
    emufile_close(a);
    emufile_close(b);
    return ok;
}
