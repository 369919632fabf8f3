/* Option-string parsing and the strict number/size/bool parsers behind the CLI. */
#include "util/keyval.h"
#include "util/cutils.h"

static void test_implied_and_escapes(void)
{
    g_autoptr(Opts) o = opts_parse("e1000,netdev=n0,romfile=a,,b", "driver", &error_abort);
    g_assert_cmpstr(opts_get(o, "driver"), ==, "e1000");
    g_assert_cmpstr(opts_get(o, "netdev"), ==, "n0");
    g_assert_cmpstr(opts_get(o, "romfile"), ==, "a,b");
    g_assert_true(opts_check_unused(o, "-device", NULL));
}

static void test_value_with_equals(void)
{
    g_autoptr(Opts) o = opts_parse("append=console=ttyS0 root=/dev/sda,kernel=k", NULL,
                                   &error_abort);
    g_assert_cmpstr(opts_get(o, "append"), ==, "console=ttyS0 root=/dev/sda");
    g_assert_cmpstr(opts_get(o, "kernel"), ==, "k");
}

static void test_bare_key_is_on(void)
{
    g_autoptr(Opts) o = opts_parse("unix:/tmp/s,server,nowait", "path", &error_abort);
    g_assert_cmpstr(opts_get(o, "path"), ==, "unix:/tmp/s");
    g_assert_cmpstr(opts_get(o, "server"), ==, "on");
    g_assert_true(opts_has(o, "nowait"));
}

static void test_last_wins_and_unused(void)
{
    g_autoptr(Opts) o = opts_parse("a=1,b=2,a=3", NULL, &error_abort);
    g_assert_cmpstr(opts_get(o, "a"), ==, "3");
    Error *err = NULL;
    g_assert_false(opts_check_unused(o, "-thing", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "-thing: unknown parameter 'b'");
    error_free(err);
}

static void test_errors(void)
{
    Error *err = NULL;
    g_assert_null(opts_parse("=x", NULL, &err));
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;
    /* ",," is an escaped comma, so ",,,=2" leaves an element with an empty key. */
    g_assert_null(opts_parse("a=1,,,=2", NULL, &err));
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;
    /* A leading empty element is a typo, not a key. */
    g_assert_null(opts_parse(",a=1", NULL, &err));
    g_assert_nonnull(err);
    error_free(err);
}

static void test_typed_getters(void)
{
    g_autoptr(Opts) o = opts_parse("size=2G,slots=4,on=yes,bad=zz", NULL, &error_abort);
    uint64_t v;
    bool b;
    g_assert_true(opts_get_size(o, "size", 0, 1 << 20, &v, NULL));
    g_assert_cmpuint(v, ==, 2ULL << 30);
    g_assert_true(opts_get_uint(o, "slots", 0, &v, NULL));
    g_assert_cmpuint(v, ==, 4);
    g_assert_true(opts_get_bool(o, "on", false, &b, NULL));
    g_assert_true(b);
    g_assert_false(opts_get_uint(o, "bad", 0, &v, NULL));
    g_assert_true(opts_get_uint(o, "missing", 42, &v, NULL));
    g_assert_cmpuint(v, ==, 42);
}

static void test_to_string_roundtrip(void)
{
    g_autoptr(Opts) o = opts_parse("path=a,,b,server=on", NULL, &error_abort);
    g_autofree char *s = opts_to_string(o);
    g_assert_cmpstr(s, ==, "path=a,,b,server=on");
}

static void test_parse_size(void)
{
    uint64_t v;
    g_assert_true(parse_size("512", 1 << 20, &v, NULL));
    g_assert_cmpuint(v, ==, 512ULL << 20);
    g_assert_true(parse_size("512", 1, &v, NULL));
    g_assert_cmpuint(v, ==, 512);
    g_assert_true(parse_size("4k", 1, &v, NULL));
    g_assert_cmpuint(v, ==, 4096);
    g_assert_true(parse_size("0x1000", 1, &v, NULL));
    g_assert_cmpuint(v, ==, 4096);
    g_assert_true(parse_size("1.5M", 1, &v, NULL));
    g_assert_cmpuint(v, ==, 1572864);
    g_assert_true(parse_size("16E", 1, &v, NULL) == false);
    g_assert_false(parse_size("-1", 1, &v, NULL));
    g_assert_false(parse_size("1MB", 1, &v, NULL));
    g_assert_false(parse_size("k", 1, &v, NULL));
    g_assert_false(parse_size(" 1", 1, &v, NULL));
    g_assert_false(parse_size("99999999999999999999", 1, &v, NULL));
}

static void test_parse_numbers(void)
{
    int64_t i;
    uint64_t u;
    bool b;
    g_assert_true(parse_int64("-12", &i, NULL));
    g_assert_cmpint(i, ==, -12);
    g_assert_false(parse_int64("12a", &i, NULL));
    g_assert_false(parse_int64("", &i, NULL));
    g_assert_true(parse_uint64("0xffffffffffffffff", &u, NULL));
    g_assert_cmpuint(u, ==, UINT64_MAX);
    g_assert_false(parse_uint64("-1", &u, NULL));
    g_assert_false(parse_uint64("0x10000000000000000", &u, NULL));
    g_assert_true(parse_bool("off", &b, NULL));
    g_assert_false(b);
    g_assert_false(parse_bool("On", &b, NULL));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/keyval/implied-and-escapes", test_implied_and_escapes);
    g_test_add_func("/keyval/value-with-equals", test_value_with_equals);
    g_test_add_func("/keyval/bare-key", test_bare_key_is_on);
    g_test_add_func("/keyval/last-wins-and-unused", test_last_wins_and_unused);
    g_test_add_func("/keyval/errors", test_errors);
    g_test_add_func("/keyval/typed-getters", test_typed_getters);
    g_test_add_func("/keyval/to-string", test_to_string_roundtrip);
    g_test_add_func("/cutils/parse-size", test_parse_size);
    g_test_add_func("/cutils/parse-numbers", test_parse_numbers);
    return g_test_run();
}
