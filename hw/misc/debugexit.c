/*
 * isa-debug-exit: QEMU's test-exit device. Any write ends emu with status
 * (value << 1) | 1, so a guest's "0" is 1 and a clean exit of emu itself (0)
 * can't be faked. The status is what a process can return: the low 8 bits.
 */
#include "hw/misc/debugexit.h"
#include "system/runstate.h"
#include "util/log.h"

static uint64_t debug_exit_read(void *opaque, hwaddr addr, unsigned size)
{
    /* Nothing to read: the port floats. */
    return UINT64_MAX;
}

static void debug_exit_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    int status = (int)(((val << 1) | 1) & 0xff);
    emu_log_mask(LOG_RESET, "isa-debug-exit: guest wrote 0x%" PRIx64 ", exit status %d\n",
                 val, status);
    system_exit_request(status);
}

static const MemoryRegionOps debug_exit_ops = {
    .read = debug_exit_read,
    .write = debug_exit_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
};

static void debug_exit_realize(DeviceState *dev, Error **errp)
{
    ISADebugExitState *s = ISA_DEBUG_EXIT(dev);

    if (s->iosize < 1 || s->iosize > 4) {
        error_setg(errp, "isa-debug-exit: iosize must be 1 to 4 bytes, not %u", s->iosize);
        return;
    }
    if (s->iobase > 0xffff || s->iobase + s->iosize > 0x10000) {
        error_setg(errp, "isa-debug-exit: ports 0x%x..0x%x are outside the I/O space "
                   "(0..0xffff)", s->iobase, s->iobase + s->iosize - 1);
        return;
    }
    memory_region_init_io(&s->io, OBJECT(dev), &debug_exit_ops, s, "isa-debug-exit",
                          s->iosize);
    isa_register_ioport(ISA_DEVICE(dev), &s->io, s->iobase);
}

static void debug_exit_finalize(Object *obj)
{
    memory_region_finalize(&ISA_DEBUG_EXIT(obj)->io);
}

static const Property debug_exit_props[] = {
    DEFINE_PROP_UINT32("iobase", ISADebugExitState, iobase, 0x501),
    DEFINE_PROP_UINT32("iosize", ISADebugExitState, iosize, 0x02),
    DEFINE_PROP_END_OF_LIST(),
};

static void debug_exit_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    /* No vmsd: a write ends emu and reads float, so there is no guest state. */
    dc->desc = "exit emu with status (value << 1) | 1 on a guest write";
    dc->category = DEVICE_CATEGORY_MISC;
    dc->user_creatable = true;
    dc->realize = debug_exit_realize;
    device_class_set_props(dc, debug_exit_props);
}

static const TypeInfo debug_exit_types[] = {
    {
        .name = TYPE_ISA_DEBUG_EXIT,
        .parent = TYPE_ISA_DEVICE,
        .instance_size = sizeof(ISADebugExitState),
        .instance_finalize = debug_exit_finalize,
        .class_init = debug_exit_class_init,
    },
};
DEFINE_TYPES(debug_exit_types)
