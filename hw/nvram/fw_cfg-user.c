/*
 * -fw_cfg [name=]opt/NAME,file=PATH | string=TEXT: user files for the guest
 * (QEMU's docs/specs/fw_cfg.rst, "Externally Provided Items"). They are read
 * and checked when the option is parsed and added when the machine creates
 * its fw_cfg.
 */
#include "hw/nvram/fw_cfg.h"
#include "util/keyval.h"

typedef struct UserFile {
    char *name;
    uint8_t *data;
    size_t len;
} UserFile;

static GPtrArray *user_files;

bool fw_cfg_user_file_add(const char *arg, Error **errp)
{
    g_autoptr(Opts) opts = opts_parse(arg, "name", errp);
    if (!opts) {
        return false;
    }
    const char *name = opts_get(opts, "name");
    const char *file = opts_get(opts, "file");
    const char *str = opts_get(opts, "string");
    UserFile *uf;

    if (!opts_check_unused(opts, "-fw_cfg", errp)) {
        return false;
    }
    if (!name || !*name) {
        error_setg(errp, "-fw_cfg %s: name= is missing", arg);
        return false;
    }
    if (!g_str_has_prefix(name, "opt/") || strlen(name) >= FW_CFG_MAX_FILE_PATH) {
        error_setg(errp, "-fw_cfg %s: the name must start with \"opt/\" and be shorter "
                   "than %d bytes", arg, FW_CFG_MAX_FILE_PATH);
        return false;
    }
    if (!file == !str) {
        error_setg(errp, "-fw_cfg %s: give exactly one of file= and string=", arg);
        return false;
    }
    for (guint i = 0; user_files && i < user_files->len; i++) {
        if (!strcmp(((UserFile *)g_ptr_array_index(user_files, i))->name, name)) {
            error_setg(errp, "-fw_cfg %s: %s is given twice", arg, name);
            return false;
        }
    }
    uf = g_new0(UserFile, 1);
    if (file) {
        GError *gerr = NULL;
        gchar *data;
        gsize len;
        if (!g_file_get_contents(file, &data, &len, &gerr)) {
            error_setg(errp, "-fw_cfg %s: %s", arg, gerr->message);
            g_error_free(gerr);
            g_free(uf);
            return false;
        }
        uf->data = (uint8_t *)data;
        uf->len = len;
    } else {
        /* As QEMU: the string without its NUL. */
        uf->len = strlen(str);
        uf->data = g_memdup2(str, uf->len);
    }
    uf->name = g_strdup(name);
    if (!user_files) {
        user_files = g_ptr_array_new();
    }
    g_ptr_array_add(user_files, uf);
    return true;
}

bool fw_cfg_add_user_files(FWCfgState *s, Error **errp)
{
    for (guint i = 0; user_files && i < user_files->len; i++) {
        UserFile *uf = g_ptr_array_index(user_files, i);
        if (!fw_cfg_try_add_file(s, uf->name, uf->data, uf->len, errp)) {
            error_prepend(errp, "-fw_cfg name=%s: ", uf->name);
            return false;
        }
    }
    return true;
}
