/*
 * isa-debug-exit (a guest write of V ends emu with status (V << 1) | 1) and
 * isa-debugcon (bytes written to port 0xE9 reach a chardev; reads return
 * 0xE9), the two devices test guests report through.
 */
#include "libqtest.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *emu_binary(void)
{
    const char *bin = g_getenv("EMU_BINARY");
    return bin && *bin ? bin : "build/emu";
}

/*
 * Run emu with @args (no qtest connection) until it exits; for command lines
 * it must refuse. Returns the exit status and emu's stderr in @err_out.
 */
static int run_emu(const char *args, char **err_out)
{
    g_autofree char *cmdline = g_strdup_printf("%s -machine pc -accel qtest -display none %s",
                                               emu_binary(), args);
    g_auto(GStrv) argv = NULL;
    g_assert_true(g_shell_parse_argv(cmdline, NULL, &argv, NULL));
    g_autofree char *errpath = NULL;
    int errfd = g_file_open_tmp("emu-debugexit-XXXXXX", &errpath, NULL);
    g_assert_cmpint(errfd, >=, 0);

    pid_t pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        dup2(devnull, 0);
        dup2(devnull, 1);
        dup2(errfd, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    close(errfd);
    int wstatus = 0;
    /* A refused command line exits at once; don't hang if it does not. */
    for (int waited = 0; waitpid(pid, &wstatus, WNOHANG) == 0; waited += 10) {
        if (waited > 30000) {
            kill(pid, SIGKILL);
            waitpid(pid, &wstatus, 0);
            g_error("emu %s did not exit", args);
        }
        g_usleep(10 * 1000);
    }
    g_assert_true(g_file_get_contents(errpath, err_out, NULL, NULL));
    unlink(errpath);
    g_assert_true(WIFEXITED(wstatus));
    return WEXITSTATUS(wstatus);
}

static void test_exit_byte(void)
{
    QTestState *s = qtest_init("-machine pc -device isa-debug-exit,iobase=0xf4,iosize=0x04");
    qtest_outb(s, 0xf4, 0x03);
    g_assert_cmpint(qtest_quit(s), ==, 7);
}

static void test_exit_long(void)
{
    QTestState *s = qtest_init("-machine pc -device isa-debug-exit,iobase=0xf4,iosize=0x04");
    qtest_outl(s, 0xf4, 0x10);
    g_assert_cmpint(qtest_quit(s), ==, 33);
}

static void test_exit_zero_and_offset(void)
{
    /* 0 exits with 1: a guest can never produce emu's own success status. */
    QTestState *s = qtest_init("-machine pc -device isa-debug-exit,iobase=0xf4,iosize=0x04");
    qtest_outw(s, 0xf6, 0x00);
    g_assert_cmpint(qtest_quit(s), ==, 1);

    /* Defaults: ports 0x501-0x502. Only the low 8 bits reach the host. */
    s = qtest_init("-machine pc -device isa-debug-exit");
    g_assert_cmphex(qtest_inb(s, 0xf4), ==, 0xff);     /* nothing at 0xf4 now */
    qtest_outb(s, 0xf4, 0x05);
    qtest_outb(s, 0x502, 0x81);
    g_assert_cmpint(qtest_quit(s), ==, 3);
}

static void test_exit_bad_props(void)
{
    g_autofree char *err = NULL;
    g_assert_cmpint(run_emu("-device isa-debug-exit,iosize=0", &err), ==, 1);
    g_assert_nonnull(strstr(err, "iosize"));
    g_autofree char *err2 = NULL;
    g_assert_cmpint(run_emu("-device isa-debug-exit,iobase=0xfffe,iosize=4", &err2), ==, 1);
    g_assert_nonnull(strstr(err2, "outside the I/O space"));
}

static void test_debugcon(void)
{
    g_autofree char *dir = g_dir_make_tmp("emu-debugcon-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "out.txt", NULL);
    g_autofree char *contents = NULL;
    QTestState *s = qtest_initf("-machine pc -chardev file,id=d,path=%s "
                                "-device isa-debugcon,chardev=d", path);

    qtest_outb(s, 0xe9, 'h');
    qtest_outb(s, 0xe9, 'i');
    g_assert_cmphex(qtest_inb(s, 0xe9), ==, 0xe9);
    /* An 8-bit ISA device: a word write becomes two byte cycles, 0xe9 then
     * 0xea, and only the first reaches the console. */
    qtest_outw(s, 0xe9, 0x4241);
    qtest_outb(s, 0xe9, '\n');
    g_assert_cmpint(qtest_quit(s), ==, 0);
    g_assert_true(g_file_get_contents(path, &contents, NULL, NULL));
    g_assert_cmpstr(contents, ==, "hiA\n");
    unlink(path);

    /* Another port and readback value, as SeaBIOS's debug port 0x402 uses. */
    s = qtest_initf("-machine pc -chardev file,id=d,path=%s "
                    "-device isa-debugcon,chardev=d,iobase=0x402,readback=0x42", path);
    g_assert_cmphex(qtest_inb(s, 0x402), ==, 0x42);
    g_assert_cmphex(qtest_inb(s, 0xe9), ==, 0xff);
    qtest_outb(s, 0x402, 'x');
    g_assert_cmpint(qtest_quit(s), ==, 0);
    g_free(contents);
    g_assert_true(g_file_get_contents(path, &contents, NULL, NULL));
    g_assert_cmpstr(contents, ==, "x");
    unlink(path);
    rmdir(dir);
}

static void test_debugcon_errors(void)
{
    g_autofree char *err = NULL;
    g_assert_cmpint(run_emu("-device isa-debugcon,chardev=nope", &err), ==, 1);
    g_assert_nonnull(strstr(err, "chardev 'nope' not found"));
    g_autofree char *err2 = NULL;
    g_assert_cmpint(run_emu("-device isa-debugcon", &err2), ==, 1);
    g_assert_nonnull(strstr(err2, "chardev property is required"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/debug-exit/byte", test_exit_byte);
    g_test_add_func("/debug-exit/long", test_exit_long);
    g_test_add_func("/debug-exit/zero-and-offset", test_exit_zero_and_offset);
    g_test_add_func("/debug-exit/bad-props", test_exit_bad_props);
    g_test_add_func("/debugcon/output", test_debugcon);
    g_test_add_func("/debugcon/errors", test_debugcon_errors);
    return g_test_run();
}
