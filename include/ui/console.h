/*
 * Graphic consoles. A display device (VGA...) publishes one console: a
 * display surface it renders into (a pixman image, 32-bit xRGB), an update
 * callback that brings the surface up to date with the guest's video memory,
 * and notifications of the rectangles it changed. Display backends (a window,
 * VNC, or nothing with -display none) and the monitor's screendump consume
 * consoles through listeners; neither side knows the other.
 *
 * Everything here runs under the big lock on the main loop.
 */
#ifndef UI_CONSOLE_H
#define UI_CONSOLE_H

#include "util/osdep.h"
#include "util/error.h"
#include <pixman.h>

typedef struct Object Object;
typedef struct QemuConsole QemuConsole;
typedef struct DisplayChangeListener DisplayChangeListener;

/* The console's pixels: always PIXMAN_x8r8g8b8 (one uint32_t 0x00RRGGBB each). */
typedef struct DisplaySurface {
    pixman_image_t *image;
} DisplaySurface;

DisplaySurface *qemu_create_displaysurface(int width, int height);
void qemu_free_displaysurface(DisplaySurface *surface);

static inline int surface_width(const DisplaySurface *s)
{
    return pixman_image_get_width(s->image);
}

static inline int surface_height(const DisplaySurface *s)
{
    return pixman_image_get_height(s->image);
}

/* Bytes from one row to the next. */
static inline int surface_stride(const DisplaySurface *s)
{
    return pixman_image_get_stride(s->image);
}

static inline uint32_t *surface_row(const DisplaySurface *s, int y)
{
    return (uint32_t *)((uint8_t *)pixman_image_get_data(s->image) +
                        (size_t)y * surface_stride(s));
}

/* What the device provides. */
typedef struct GraphicHwOps {
    /* Render what changed in guest memory/registers into the surface. */
    void (*gfx_update)(void *opaque);
    /* Forget what was drawn: the next update redraws everything. */
    void (*invalidate)(void *opaque);
    /* One line for `info display` (mode, size...); optional. */
    void (*describe)(void *opaque, GString *out);
} GraphicHwOps;

/* What a display backend provides; every callback is optional. */
typedef struct DisplayChangeListenerOps {
    const char *name;
    /* The console has a new surface (size change): draw from it from now on. */
    void (*dpy_gfx_switch)(DisplayChangeListener *dcl, DisplaySurface *surface);
    /* The rectangle changed in the current surface. */
    void (*dpy_gfx_update)(DisplayChangeListener *dcl, int x, int y, int w, int h);
} DisplayChangeListenerOps;

struct DisplayChangeListener {
    const DisplayChangeListenerOps *ops;
    QemuConsole *con;                   /* set by register_displaychangelistener */
    DisplayChangeListener *next;
};

/* ---- device side ---- */

/*
 * A new graphic console for @dev (its owner, for `info display` and lookup by
 * device id), with a placeholder 640x480 black surface. Consoles are numbered
 * 0, 1, ... in creation order; console 0 is the one screendump uses by default.
 */
QemuConsole *graphic_console_init(Object *dev, const GraphicHwOps *ops, void *opaque);
void graphic_console_close(QemuConsole *con);

DisplaySurface *qemu_console_surface(QemuConsole *con);
/*
 * Give the console a surface of @width x @height (1..16384 each) if the
 * current one has another size; listeners are told. Returns the surface, whose
 * contents are undefined after a size change.
 */
DisplaySurface *qemu_console_resize(QemuConsole *con, int width, int height);
/* The device changed [x, x+w) x [y, y+h) of the surface (clipped to it). */
void dpy_gfx_update(QemuConsole *con, int x, int y, int w, int h);
void dpy_gfx_update_full(QemuConsole *con);

/* ---- consumer side ---- */

/* Ask the device to bring the surface up to date / to redraw it all next time. */
void graphic_hw_update(QemuConsole *con);
void graphic_hw_invalidate(QemuConsole *con);

QemuConsole *qemu_console_lookup_by_index(unsigned index);
/* The console of the device with id or QOM path @dev_id (NULL if it has none). */
QemuConsole *qemu_console_lookup_by_device_name(const char *dev_id, Error **errp);
unsigned qemu_console_get_index(QemuConsole *con);
Object *qemu_console_get_device(QemuConsole *con);

/*
 * Dirty rectangles reported since the last call: their bounding box in *x..*h,
 * and whether there were any. Lets a consumer that polls (screendump tests,
 * `info display`) see what the device reported; a listener gets each one.
 */
bool qemu_console_take_dirty(QemuConsole *con, int *x, int *y, int *w, int *h);
/* Update notifications and surface switches so far (for `info display`). */
uint64_t qemu_console_update_count(QemuConsole *con);

void register_displaychangelistener(DisplayChangeListener *dcl, QemuConsole *con);
void unregister_displaychangelistener(DisplayChangeListener *dcl);

/* ---- screendump (ui/screendump.c) ---- */

typedef enum {
    SCREENDUMP_PPM,
    SCREENDUMP_PNG,
} ScreendumpFormat;

/* Write @surface to @filename; errors name the file. */
bool screendump_write_surface(DisplaySurface *surface, const char *filename,
                              ScreendumpFormat format, Error **errp);

#endif
