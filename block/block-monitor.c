/*
 * The block monitor commands: QMP query-block and HMP `info block`, in QEMU's
 * formats (`info block` prints what query-block returns).
 */
#include "block/drive.h"
#include "monitor/monitor.h"

static JsonObject *drive_to_json(DriveInfo *d)
{
    JsonObject *o = json_object_new();
    /* QEMU: a drive without a device, or a device with removable media. */
    bool removable = !d->attached_to || d->media == MEDIA_CDROM || d->type == IF_FLOPPY;

    json_object_set_string_member(o, "device", d->id);
    if (d->attached_to) {
        json_object_set_string_member(o, "qdev", d->attached_to);
    }
    json_object_set_string_member(o, "type", "unknown");
    json_object_set_boolean_member(o, "removable", removable);
    json_object_set_boolean_member(o, "locked", d->dev_ops &&
                                   d->dev_ops->is_medium_locked(d->dev_opaque));
    if (removable) {
        json_object_set_boolean_member(o, "tray_open", d->dev_ops &&
                                       d->dev_ops->is_tray_open(d->dev_opaque));
    }
    if (d->blk) {
        BlockBackend *blk = d->blk;
        BlockCacheMode c = blk_get_cache_mode(blk);
        JsonObject *in = json_object_new();
        JsonObject *cache = json_object_new();
        JsonObject *image = json_object_new();

        json_object_set_string_member(in, "file", blk_filename(blk));
        json_object_set_boolean_member(in, "ro", blk_is_read_only(blk));
        json_object_set_string_member(in, "drv", blk_format_name(blk));
        json_object_set_boolean_member(in, "encrypted", false);
        json_object_set_int_member(in, "backing_file_depth", 0);
        json_object_set_string_member(in, "detect_zeroes", "off");
        json_object_set_boolean_member(cache, "writeback", !c.writethrough);
        json_object_set_boolean_member(cache, "direct", c.direct);
        json_object_set_boolean_member(cache, "no-flush", c.no_flush);
        json_object_set_object_member(in, "cache", cache);
        json_object_set_string_member(image, "filename", blk_filename(blk));
        json_object_set_string_member(image, "format", blk_format_name(blk));
        json_object_set_int_member(image, "virtual-size", blk_getlength(blk));
        json_object_set_object_member(in, "image", image);
        /* emu's own: -snapshot's temporary overlay takes the writes. */
        json_object_set_boolean_member(in, "x-snapshot", blk_is_snapshot(blk));
        json_object_set_string_member(in, "x-werror",
                                      blockdev_on_error_str(d->on_write_error));
        json_object_set_string_member(in, "x-rerror",
                                      blockdev_on_error_str(d->on_read_error));
        json_object_set_object_member(o, "inserted", in);
    }
    return o;
}

static JsonNode *qmp_query_block(JsonObject *args, Error **errp)
{
    JsonArray *arr = json_array_new();
    GPtrArray *l = drive_list();
    for (guint i = 0; i < l->len; i++) {
        json_array_add_object_element(arr, drive_to_json(g_ptr_array_index(l, i)));
    }
    JsonNode *n = json_node_new(JSON_NODE_ARRAY);
    json_node_take_array(n, arr);
    return n;
}

static void print_drive(GString *out, JsonObject *d)
{
    const char *dev = json_object_get_string_member(d, "device");
    JsonObject *in = json_object_has_member(d, "inserted")
                     ? json_object_get_object_member(d, "inserted") : NULL;
    if (in) {
        g_string_append_printf(out, "%s: %s (%s%s)\n", dev,
                               json_object_get_string_member(in, "file"),
                               json_object_get_string_member(in, "drv"),
                               json_object_get_boolean_member(in, "ro") ? ", read-only"
                                                                        : "");
    } else {
        g_string_append_printf(out, "%s: [not inserted]\n", dev);
    }
    if (json_object_has_member(d, "qdev")) {
        g_string_append_printf(out, "    Attached to:      %s\n",
                               json_object_get_string_member(d, "qdev"));
    }
    if (json_object_get_boolean_member(d, "removable")) {
        g_string_append_printf(out, "    Removable device: %slocked, tray %s\n",
                               json_object_get_boolean_member(d, "locked") ? "" : "not ",
                               json_object_get_boolean_member(d, "tray_open") ? "open"
                                                                              : "closed");
    }
    if (in) {
        JsonObject *c = json_object_get_object_member(in, "cache");
        BlockCacheMode mode = {
            .writethrough = !json_object_get_boolean_member(c, "writeback"),
            .direct = json_object_get_boolean_member(c, "direct"),
            .no_flush = json_object_get_boolean_member(c, "no-flush"),
        };
        g_string_append_printf(out, "    Cache mode:       %s\n", blk_cache_mode_str(&mode));
        if (json_object_get_boolean_member(in, "x-snapshot")) {
            g_string_append(out, "    Snapshot:         writes go to a temporary overlay "
                                 "and are discarded at exit\n");
        }
    }
}

static void info_block(GString *out, JsonObject *args)
{
    const char *want = args && json_object_has_member(args, "device")
                       ? json_object_get_string_member(args, "device") : NULL;
    JsonNode *n = qmp_query_block(NULL, NULL);
    JsonArray *arr = json_node_get_array(n);
    bool first = true;
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonObject *d = json_array_get_object_element(arr, i);
        if (want && strcmp(want, json_object_get_string_member(d, "device"))) {
            continue;
        }
        if (!first) {
            g_string_append_c(out, '\n');
        }
        first = false;
        print_drive(out, d);
    }
    if (want && first) {
        g_string_append_printf(out, "Device '%s' not found\n", want);
    }
    json_node_unref(n);
}

static const MonitorCommand block_commands[] = {
    {
        .name = "query-block",
        .help = "the drives and their images",
        .qmp = qmp_query_block,
    },
};

static void __attribute__((constructor)) block_monitor_register(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(block_commands); i++) {
        monitor_register_command(&block_commands[i]);
    }
    monitor_register_info_args("block", "device:s?", "[device]",
                               "show the block devices", info_block);
}
