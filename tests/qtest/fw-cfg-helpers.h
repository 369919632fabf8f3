/*
 * fw_cfg over the I/O ports (QEMU's docs/specs/fw_cfg.rst): select a key,
 * read its bytes, and find a file in the directory (key 0x19).
 */
#ifndef TESTS_QTEST_FW_CFG_HELPERS_H
#define TESTS_QTEST_FW_CFG_HELPERS_H

#include "libqtest.h"
#include <string.h>

#define FW_CFG_CTL 0x510
#define FW_CFG_DATA 0x511
#define FW_CFG_FILE_DIR 0x19

static inline void fw_read(QTestState *s, uint16_t key, void *buf, size_t len)
{
    uint8_t *p = buf;
    qtest_outw(s, FW_CFG_CTL, key);
    for (size_t i = 0; i < len; i++) {
        p[i] = qtest_inb(s, FW_CFG_DATA);
    }
}

/* File @name's contents, NUL-terminated (NULL if absent); its size in *size. */
static inline uint8_t *fw_file(QTestState *s, const char *name, uint32_t *size)
{
    uint8_t be[4];
    int key = -1;

    *size = 0;
    fw_read(s, FW_CFG_FILE_DIR, be, 4);
    uint32_t count = (uint32_t)be[0] << 24 | be[1] << 16 | be[2] << 8 | be[3];
    g_assert_cmpuint(count, <, 0x1000);
    for (uint32_t i = 0; i < count; i++) {
        uint8_t e[64];
        for (int j = 0; j < 64; j++) {
            e[j] = qtest_inb(s, FW_CFG_DATA);
        }
        if (!strncmp((const char *)e + 8, name, 56)) {
            key = e[4] << 8 | e[5];
            *size = (uint32_t)e[0] << 24 | e[1] << 16 | e[2] << 8 | e[3];
        }
    }
    if (key < 0) {
        return NULL;
    }
    uint8_t *data = g_malloc0(*size + 1);
    fw_read(s, key, data, *size);
    return data;
}

#endif
