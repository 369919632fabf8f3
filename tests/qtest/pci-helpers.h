/*
 * Helpers shared by the PCI qtests: configuration cycles through the type 1
 * mechanism exactly as a guest does them (PCI 3.0 §3.2.2.3.2), the monitor,
 * and starting emu where a start is meant to fail.
 */
#ifndef TESTS_QTEST_PCI_HELPERS_H
#define TESTS_QTEST_PCI_HELPERS_H

#include "libqtest.h"
#include "../../include/hw/pci/pci_regs.h"
#include "../../include/hw/misc/pci-testdev-regs.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#define CONFADD 0xcf8
#define CONFDATA 0xcfc
#define BDF(dev, fn) (((dev) << 11) | ((fn) << 8))

static inline uint32_t cfg_addr(uint32_t bdf, uint32_t reg)
{
    return 0x80000000u | bdf | (reg & 0xfc);
}

static inline uint32_t cfg_readl(QTestState *s, uint32_t bdf, uint32_t reg)
{
    qtest_outl(s, CONFADD, cfg_addr(bdf, reg));
    return qtest_inl(s, CONFDATA);
}

static inline uint16_t cfg_readw(QTestState *s, uint32_t bdf, uint32_t reg)
{
    qtest_outl(s, CONFADD, cfg_addr(bdf, reg));
    return qtest_inw(s, CONFDATA + (reg & 2));
}

static inline uint8_t cfg_readb(QTestState *s, uint32_t bdf, uint32_t reg)
{
    qtest_outl(s, CONFADD, cfg_addr(bdf, reg));
    return qtest_inb(s, CONFDATA + (reg & 3));
}

static inline void cfg_writel(QTestState *s, uint32_t bdf, uint32_t reg, uint32_t v)
{
    qtest_outl(s, CONFADD, cfg_addr(bdf, reg));
    qtest_outl(s, CONFDATA, v);
}

static inline void cfg_writew(QTestState *s, uint32_t bdf, uint32_t reg, uint16_t v)
{
    qtest_outl(s, CONFADD, cfg_addr(bdf, reg));
    qtest_outw(s, CONFDATA + (reg & 2), v);
}

static inline void cfg_writeb(QTestState *s, uint32_t bdf, uint32_t reg, uint8_t v)
{
    qtest_outl(s, CONFADD, cfg_addr(bdf, reg));
    qtest_outb(s, CONFDATA + (reg & 3), v);
}

/* Find capability @id by walking the list as a driver does (0: none). */
static inline uint8_t cfg_find_cap(QTestState *s, uint32_t bdf, uint8_t id)
{
    if (!(cfg_readw(s, bdf, PCI_STATUS) & PCI_STATUS_CAP_LIST)) {
        return 0;
    }
    uint8_t pos = cfg_readb(s, bdf, PCI_CAPABILITY_LIST) & ~3;
    for (int n = 0; pos && n < 48; n++) {
        if (cfg_readb(s, bdf, pos) == id) {
            return pos;
        }
        pos = cfg_readb(s, bdf, pos + 1) & ~3;
    }
    return 0;
}

/* What a BAR decodes: write all-ones, read back, restore (§6.2.5.1). */
static inline uint32_t cfg_size_bar(QTestState *s, uint32_t bdf, uint32_t reg)
{
    uint32_t old = cfg_readl(s, bdf, reg);
    cfg_writel(s, bdf, reg, 0xffffffff);
    uint32_t v = cfg_readl(s, bdf, reg);
    cfg_writel(s, bdf, reg, old);
    return v;
}

static inline char *hmp(QTestState *s, const char *cmd)
{
    JsonNode *r = qtest_qmp(s, "{'execute': 'human-monitor-command', "
                            "'arguments': {'command-line': '%s'}}", cmd);
    JsonNode *out = qtest_qmp_return(r);
    g_assert_nonnull(out);
    char *text = g_strdup(json_node_get_string(out));
    json_node_unref(r);
    return text;
}

/*
 * Run emu with @args (split like a shell) and expect exit status 1 with
 * @needle in its stderr; returns stderr.
 */
static inline char *expect_start_failure(const char *args, const char *needle)
{
    const char *emu = g_getenv("EMU_BINARY") ? g_getenv("EMU_BINARY") : "build/emu";
    g_autofree char *cmd = g_strdup_printf("%s -accel qtest -display none %s", emu, args);
    gchar **argv = NULL;
    g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, NULL));
    char *err = NULL;
    int status = -1;
    g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, &err, &status, NULL));
    g_strfreev(argv);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 1 || !strstr(err, needle)) {
        g_error("emu %s: expected exit status 1 and \"%s\", got status 0x%x and:\n%s",
                args, needle, status, err);
    }
    return err;
}

#endif
