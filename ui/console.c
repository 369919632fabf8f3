/*
 * Graphic consoles: the registry of devices' display surfaces, their update
 * callbacks and dirty-rectangle notifications (see include/ui/console.h).
 */
#include "ui/console.h"
#include "qom/object.h"
#include "monitor/monitor.h"

#define CONSOLE_MAX_DIM 16384

struct QemuConsole {
    unsigned index;
    Object *device;
    const GraphicHwOps *ops;
    void *opaque;
    DisplaySurface *surface;
    DisplayChangeListener *listeners;
    /* Bounding box of the rectangles reported since qemu_console_take_dirty. */
    bool dirty;
    int dx0, dy0, dx1, dy1;
    uint64_t updates;
};

static GPtrArray *consoles;    /* QemuConsole *, by index; closed ones are NULL */

DisplaySurface *qemu_create_displaysurface(int width, int height)
{
    g_assert(width > 0 && height > 0 && width <= CONSOLE_MAX_DIM &&
             height <= CONSOLE_MAX_DIM);
    DisplaySurface *s = g_new0(DisplaySurface, 1);
    /* pixman allocates zeroed memory when given no buffer: a black screen. */
    s->image = pixman_image_create_bits(PIXMAN_x8r8g8b8, width, height, NULL,
                                        width * 4);
    g_assert(s->image);
    return s;
}

void qemu_free_displaysurface(DisplaySurface *surface)
{
    if (surface) {
        pixman_image_unref(surface->image);
        g_free(surface);
    }
}

QemuConsole *graphic_console_init(Object *dev, const GraphicHwOps *ops, void *opaque)
{
    if (!consoles) {
        consoles = g_ptr_array_new();
    }
    QemuConsole *con = g_new0(QemuConsole, 1);
    con->index = consoles->len;
    con->device = dev;
    con->ops = ops;
    con->opaque = opaque;
    con->surface = qemu_create_displaysurface(640, 480);
    g_ptr_array_add(consoles, con);
    return con;
}

void graphic_console_close(QemuConsole *con)
{
    if (!con) {
        return;
    }
    while (con->listeners) {
        unregister_displaychangelistener(con->listeners);
    }
    g_ptr_array_index(consoles, con->index) = NULL;
    qemu_free_displaysurface(con->surface);
    g_free(con);
}

DisplaySurface *qemu_console_surface(QemuConsole *con)
{
    return con->surface;
}

DisplaySurface *qemu_console_resize(QemuConsole *con, int width, int height)
{
    width = CLAMP(width, 1, CONSOLE_MAX_DIM);
    height = CLAMP(height, 1, CONSOLE_MAX_DIM);
    if (surface_width(con->surface) == width && surface_height(con->surface) == height) {
        return con->surface;
    }
    DisplaySurface *old = con->surface;
    con->surface = qemu_create_displaysurface(width, height);
    for (DisplayChangeListener *l = con->listeners; l; l = l->next) {
        if (l->ops->dpy_gfx_switch) {
            l->ops->dpy_gfx_switch(l, con->surface);
        }
    }
    qemu_free_displaysurface(old);
    con->updates++;
    return con->surface;
}

void dpy_gfx_update(QemuConsole *con, int x, int y, int w, int h)
{
    int sw = surface_width(con->surface), sh = surface_height(con->surface);
    int x1 = MIN(x + w, sw), y1 = MIN(y + h, sh);
    x = MAX(x, 0);
    y = MAX(y, 0);
    if (x >= x1 || y >= y1) {
        return;
    }
    if (con->dirty) {
        con->dx0 = MIN(con->dx0, x);
        con->dy0 = MIN(con->dy0, y);
        con->dx1 = MAX(con->dx1, x1);
        con->dy1 = MAX(con->dy1, y1);
    } else {
        con->dirty = true;
        con->dx0 = x;
        con->dy0 = y;
        con->dx1 = x1;
        con->dy1 = y1;
    }
    con->updates++;
    for (DisplayChangeListener *l = con->listeners; l; l = l->next) {
        if (l->ops->dpy_gfx_update) {
            l->ops->dpy_gfx_update(l, x, y, x1 - x, y1 - y);
        }
    }
}

void dpy_gfx_update_full(QemuConsole *con)
{
    dpy_gfx_update(con, 0, 0, surface_width(con->surface), surface_height(con->surface));
}

void graphic_hw_update(QemuConsole *con)
{
    if (con && con->ops->gfx_update) {
        con->ops->gfx_update(con->opaque);
    }
}

void graphic_hw_invalidate(QemuConsole *con)
{
    if (con && con->ops->invalidate) {
        con->ops->invalidate(con->opaque);
    }
}

QemuConsole *qemu_console_lookup_by_index(unsigned index)
{
    if (!consoles || index >= consoles->len) {
        return NULL;
    }
    return g_ptr_array_index(consoles, index);
}

QemuConsole *qemu_console_lookup_by_device_name(const char *dev_id, Error **errp)
{
    g_autofree char *peripheral = g_strdup_printf("/machine/peripheral/%s", dev_id);
    Object *obj = object_resolve_path(peripheral, NULL);
    if (!obj) {
        obj = object_resolve_path(dev_id, NULL);
    }
    if (!obj) {
        error_setg(errp, "Device '%s' not found", dev_id);
        return NULL;
    }
    for (guint i = 0; consoles && i < consoles->len; i++) {
        QemuConsole *con = g_ptr_array_index(consoles, i);
        if (con && con->device == obj) {
            return con;
        }
    }
    error_setg(errp, "Device '%s' has no graphic console", dev_id);
    return NULL;
}

unsigned qemu_console_get_index(QemuConsole *con)
{
    return con->index;
}

Object *qemu_console_get_device(QemuConsole *con)
{
    return con->device;
}

bool qemu_console_take_dirty(QemuConsole *con, int *x, int *y, int *w, int *h)
{
    if (!con->dirty) {
        return false;
    }
    *x = con->dx0;
    *y = con->dy0;
    *w = con->dx1 - con->dx0;
    *h = con->dy1 - con->dy0;
    con->dirty = false;
    return true;
}

uint64_t qemu_console_update_count(QemuConsole *con)
{
    return con->updates;
}

void register_displaychangelistener(DisplayChangeListener *dcl, QemuConsole *con)
{
    dcl->con = con;
    dcl->next = con->listeners;
    con->listeners = dcl;
    if (dcl->ops->dpy_gfx_switch) {
        dcl->ops->dpy_gfx_switch(dcl, con->surface);
    }
}

void unregister_displaychangelistener(DisplayChangeListener *dcl)
{
    QemuConsole *con = dcl->con;
    if (!con) {
        return;
    }
    for (DisplayChangeListener **p = &con->listeners; *p; p = &(*p)->next) {
        if (*p == dcl) {
            *p = dcl->next;
            break;
        }
    }
    dcl->con = NULL;
    dcl->next = NULL;
}

/* ---- info display ---- */

static void info_display(GString *out)
{
    bool any = false;
    for (guint i = 0; consoles && i < consoles->len; i++) {
        QemuConsole *con = g_ptr_array_index(consoles, i);
        if (!con) {
            continue;
        }
        any = true;
        g_autofree char *path = con->device ? object_get_canonical_path(con->device) : NULL;
        /* Bring the surface up to date first, as screendump does. */
        graphic_hw_update(con);
        g_string_append_printf(out, "console %u: %s, surface %dx%d, %" PRIu64
                               " updates\n", con->index, path ? path : "(no device)",
                               surface_width(con->surface), surface_height(con->surface),
                               con->updates);
        if (con->ops->describe) {
            g_string_append(out, "  ");
            con->ops->describe(con->opaque, out);
            g_string_append_c(out, '\n');
        }
    }
    if (!any) {
        g_string_append(out, "no graphic console\n");
    }
}

static void __attribute__((constructor)) console_register(void)
{
    monitor_register_info("display", "show the graphic consoles and their video modes",
                          info_display);
}
