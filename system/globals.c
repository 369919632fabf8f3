/* Start-up configuration shared with machines and devices. */
#include "system/system.h"

char *vm_name;
bool nographic;
const char *vga_model;
RtcConfig rtc_config;

static Chardev *serial_hds[MAX_SERIAL_PORTS];

Chardev *serial_hd(int i)
{
    return i >= 0 && i < MAX_SERIAL_PORTS ? serial_hds[i] : NULL;
}

void serial_hd_set(int i, Chardev *chr)
{
    g_assert(i >= 0 && i < MAX_SERIAL_PORTS);
    serial_hds[i] = chr;
}

static GPtrArray *data_dirs;

void datadir_add(const char *dir)
{
    if (!data_dirs) {
        data_dirs = g_ptr_array_new_with_free_func(g_free);
    }
    g_ptr_array_add(data_dirs, g_strdup(dir));
}

char *datadir_find_file(const char *name)
{
    /* -L first, then the installed data dir, the build tree, then distro dirs. */
    const char *builtin[] = {
        EMU_DATADIR,
        EMU_BUILD_DIR "/pc-bios",
        EMU_SOURCE_DIR "/pc-bios",
        "/usr/share/seabios",
        "/usr/lib/ipxe/qemu",
    };
    if (g_path_is_absolute(name) && g_file_test(name, G_FILE_TEST_IS_REGULAR)) {
        return g_strdup(name);
    }
    for (guint i = 0; data_dirs && i < data_dirs->len; i++) {
        char *p = g_build_filename(g_ptr_array_index(data_dirs, i), name, NULL);
        if (g_file_test(p, G_FILE_TEST_IS_REGULAR)) {
            return p;
        }
        g_free(p);
    }
    for (size_t i = 0; i < ARRAY_SIZE(builtin); i++) {
        char *p = g_build_filename(builtin[i], name, NULL);
        if (g_file_test(p, G_FILE_TEST_IS_REGULAR)) {
            return p;
        }
        g_free(p);
    }
    return NULL;
}
