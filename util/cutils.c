/* Number, size and boolean parsing shared by the CLI and properties. */
#include "util/cutils.h"
#include <math.h>

bool parse_size(const char *str, uint64_t default_unit, uint64_t *res, Error **errp)
{
    const char *p = str;
    char *end;
    uint64_t mul;

    if (!str || !*str || g_ascii_isspace(*str) || *str == '-') {
        error_setg(errp, "'%s' is not a size", str ? str : "");
        return false;
    }
    errno = 0;
    bool hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
    uint64_t ival = 0;
    double fval = 0;
    if (hex) {
        ival = g_ascii_strtoull(p, &end, 16);
        if (end == p + 2) {
            error_setg(errp, "'%s' is not a size", str);
            return false;
        }
    } else {
        ival = g_ascii_strtoull(p, &end, 10);
        if (end == p) {
            error_setg(errp, "'%s' is not a size", str);
            return false;
        }
        if (*end == '.') {
            fval = g_ascii_strtod(p, &end);
        }
    }
    if (errno == ERANGE) {
        error_setg(errp, "size '%s' is too large", str);
        return false;
    }
    switch (g_ascii_toupper(*end)) {
    case 'B': mul = 1; end++; break;
    case 'K': mul = 1ULL << 10; end++; break;
    case 'M': mul = 1ULL << 20; end++; break;
    case 'G': mul = 1ULL << 30; end++; break;
    case 'T': mul = 1ULL << 40; end++; break;
    case 'P': mul = 1ULL << 50; end++; break;
    case 'E': mul = 1ULL << 60; end++; break;
    case '\0': mul = default_unit; break;
    default:
        error_setg(errp, "'%s' is not a size (unknown suffix '%c')", str, *end);
        return false;
    }
    /* Allow "512MiB"-free QEMU spelling only: one suffix letter, nothing after. */
    if (*end) {
        error_setg(errp, "'%s' is not a size (trailing '%s')", str, end);
        return false;
    }
    if (fval != 0) {
        double v = fval * (double)mul;
        if (v >= 18446744073709551616.0) {
            error_setg(errp, "size '%s' is too large", str);
            return false;
        }
        *res = (uint64_t)v;
        return true;
    }
    if (mul && ival > UINT64_MAX / mul) {
        error_setg(errp, "size '%s' is too large", str);
        return false;
    }
    *res = ival * mul;
    return true;
}

bool parse_bool(const char *str, bool *res, Error **errp)
{
    static const char *const yes[] = { "on", "yes", "true", "y" };
    static const char *const no[] = { "off", "no", "false", "n" };
    for (size_t i = 0; str && i < ARRAY_SIZE(yes); i++) {
        if (!strcmp(str, yes[i])) {
            *res = true;
            return true;
        }
        if (!strcmp(str, no[i])) {
            *res = false;
            return true;
        }
    }
    error_setg(errp, "'%s' is not a boolean (use on or off)", str ? str : "");
    return false;
}

/* The checks after strto[u]ll: all consumed, something consumed, in range. */
static bool strtox_ok(const char *str, const char *end, Error **errp)
{
    if (*end || end == str) {
        error_setg(errp, "'%s' is not a number", str);
        return false;
    }
    if (errno == ERANGE) {
        error_setg(errp, "'%s' is out of range", str);
        return false;
    }
    return true;
}

bool parse_int64(const char *str, int64_t *res, Error **errp)
{
    char *end;
    if (!str || !*str || g_ascii_isspace(*str)) {
        error_setg(errp, "'%s' is not a number", str ? str : "");
        return false;
    }
    errno = 0;
    int64_t v = g_ascii_strtoll(str, &end, 0);
    if (!strtox_ok(str, end, errp)) {
        return false;
    }
    *res = v;
    return true;
}

bool parse_uint64(const char *str, uint64_t *res, Error **errp)
{
    char *end;
    if (!str || !*str || g_ascii_isspace(*str) || *str == '-') {
        error_setg(errp, "'%s' is not a non-negative number", str ? str : "");
        return false;
    }
    errno = 0;
    uint64_t v = g_ascii_strtoull(str, &end, 0);
    if (!strtox_ok(str, end, errp)) {
        return false;
    }
    *res = v;
    return true;
}
