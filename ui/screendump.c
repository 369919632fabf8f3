/*
 * screendump: the current picture of a graphic console, after asking its
 * device for an update, as a PPM (P6, QEMU's default) or PNG (libpng, 8-bit
 * RGB) file. QMP `screendump {filename, format?, device?, head?}` and HMP
 * `screendump FILENAME [-f FORMAT]`; without a format, a name ending in
 * ".png" gets PNG and anything else PPM.
 */
#include "ui/console.h"
#include "monitor/monitor.h"

#include <png.h>
#include <setjmp.h>

static void surface_row_rgb(DisplaySurface *surface, int y, uint8_t *rgb)
{
    const uint32_t *src = surface_row(surface, y);
    for (int x = 0; x < surface_width(surface); x++) {
        rgb[3 * x] = src[x] >> 16;
        rgb[3 * x + 1] = src[x] >> 8;
        rgb[3 * x + 2] = src[x];
    }
}

static bool write_ppm(FILE *f, DisplaySurface *surface)
{
    int w = surface_width(surface), h = surface_height(surface);
    g_autofree uint8_t *rgb = g_malloc((size_t)w * 3);
    if (fprintf(f, "P6\n%d %d\n255\n", w, h) < 0) {
        return false;
    }
    for (int y = 0; y < h; y++) {
        surface_row_rgb(surface, y, rgb);
        if (fwrite(rgb, 3, w, f) != (size_t)w) {
            return false;
        }
    }
    return true;
}

/* libpng reports errors by longjmp; everything it needs lives in @ctx. */
typedef struct {
    FILE *f;
    DisplaySurface *surface;
    uint8_t *row;
    char message[128];
} PngCtx;

static void png_error_fn(png_structp png, png_const_charp msg)
{
    PngCtx *ctx = png_get_error_ptr(png);
    g_strlcpy(ctx->message, msg, sizeof(ctx->message));
    png_longjmp(png, 1);
}

static void png_warning_fn(png_structp png, png_const_charp msg)
{
}

static bool write_png(PngCtx *ctx)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, ctx, png_error_fn,
                                              png_warning_fn);
    if (!png) {
        g_strlcpy(ctx->message, "out of memory", sizeof(ctx->message));
        return false;
    }
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        g_strlcpy(ctx->message, "out of memory", sizeof(ctx->message));
        return false;
    }
    int w = surface_width(ctx->surface), h = surface_height(ctx->surface);
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return false;
    }
    png_init_io(png, ctx->f);
    png_set_IHDR(png, info, w, h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < h; y++) {
        surface_row_rgb(ctx->surface, y, ctx->row);
        png_write_row(png, ctx->row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return true;
}

bool screendump_write_surface(DisplaySurface *surface, const char *filename,
                              ScreendumpFormat format, Error **errp)
{
    FILE *f = fopen(filename, "wb");
    if (!f) {
        error_setg_errno(errp, errno, "failed to open file '%s'", filename);
        return false;
    }
    bool ok;
    const char *why = NULL;
    if (format == SCREENDUMP_PNG) {
        PngCtx ctx = { .f = f, .surface = surface };
        ctx.row = g_malloc((size_t)surface_width(surface) * 3);
        ok = write_png(&ctx);
        g_free(ctx.row);
        if (!ok) {
            why = g_intern_string(ctx.message);
        }
    } else {
        ok = write_ppm(f, surface);
    }
    int saved = errno;
    if (fclose(f) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        unlink(filename);
        if (why) {
            error_setg(errp, "failed to write PNG file '%s': %s", filename, why);
        } else {
            error_setg_errno(errp, saved, "failed to write file '%s'", filename);
        }
    }
    return ok;
}

static JsonNode *qmp_screendump(JsonObject *args, Error **errp)
{
    const char *filename = json_object_get_string_member(args, "filename");
    const char *fmt = json_object_get_string_member_with_default(args, "format", NULL);
    const char *device = json_object_get_string_member_with_default(args, "device", NULL);
    ScreendumpFormat format;

    if (!fmt) {
        format = g_str_has_suffix(filename, ".png") ? SCREENDUMP_PNG : SCREENDUMP_PPM;
    } else if (!strcmp(fmt, "png")) {
        format = SCREENDUMP_PNG;
    } else if (!strcmp(fmt, "ppm")) {
        format = SCREENDUMP_PPM;
    } else {
        error_setg(errp, "Parameter 'format' does not accept value '%s' (png or ppm)", fmt);
        return NULL;
    }

    QemuConsole *con;
    if (device) {
        con = qemu_console_lookup_by_device_name(device, errp);
        if (!con) {
            return NULL;
        }
        if (json_object_has_member(args, "head") &&
            json_object_get_int_member(args, "head") != 0) {
            error_setg(errp, "Device '%s' has no head %" PRId64, device,
                       json_object_get_int_member(args, "head"));
            return NULL;
        }
    } else {
        con = qemu_console_lookup_by_index(0);
        if (!con) {
            error_setg(errp, "There is no console to take a screendump from "
                       "(the machine has no display device; see -vga)");
            return NULL;
        }
    }
    /* What the guest drew up to now, not what the last refresh saw. */
    graphic_hw_update(con);
    screendump_write_surface(qemu_console_surface(con), filename, format, errp);
    return NULL;
}

/* QEMU's spelling `screendump FILE -f png` is accepted too. */
static void hmp_screendump(Monitor *mon, JsonObject *args)
{
    const char *fmt = json_object_get_string_member_with_default(args, "format", NULL);
    JsonObject *a = json_object_new();
    json_object_set_string_member(a, "filename",
                                  json_object_get_string_member(args, "filename"));
    const char *device = json_object_get_string_member_with_default(args, "device", NULL);
    if (fmt && !strcmp(fmt, "-f")) {
        fmt = device;
        device = NULL;
        if (!fmt) {
            monitor_printf(mon, "screendump: -f needs a format (png or ppm)\n");
            json_object_unref(a);
            return;
        }
    }
    if (fmt) {
        json_object_set_string_member(a, "format", fmt);
    }
    if (device) {
        json_object_set_string_member(a, "device", device);
    }
    Error *err = NULL;
    qmp_screendump(a, &err);
    json_object_unref(a);
    hmp_handle_error(mon, err);
}

static const MonitorCommand screendump_cmd = {
    .name = "screendump",
    .args_type = "filename:s,format:s?,device:s?,head:i?",
    .params = "filename [-f png|ppm]",
    .help = "save the screen as a PPM or PNG image (PNG for a .png name unless -f says)",
    .qmp = qmp_screendump,
    .hmp = hmp_screendump,
};

static void __attribute__((constructor)) screendump_register(void)
{
    monitor_register_command(&screendump_cmd);
}
