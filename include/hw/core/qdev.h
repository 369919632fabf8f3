/*
 * Devices and buses. A device is created (qdev_new), configured through
 * properties, then realized onto a bus; realize may fail with an Error. Most
 * properties can only be set before realize.
 */
#ifndef HW_CORE_QDEV_H
#define HW_CORE_QDEV_H

#include "qom/object.h"
#include "hw/core/irq.h"

#define TYPE_DEVICE "device"
#define TYPE_BUS "bus"

typedef struct DeviceState DeviceState;
typedef struct DeviceClass DeviceClass;
typedef struct BusState BusState;
typedef struct BusClass BusClass;
typedef struct VMStateDescription VMStateDescription;

typedef enum {
    RESET_TYPE_COLD,    /* power-on: everything to its initial state */
    RESET_TYPE_WARM,    /* system reset: some state (e.g. sticky bits) survives */
} ResetType;

typedef enum {
    DEVICE_CATEGORY_BRIDGE,
    DEVICE_CATEGORY_USB,
    DEVICE_CATEGORY_STORAGE,
    DEVICE_CATEGORY_NETWORK,
    DEVICE_CATEGORY_INPUT,
    DEVICE_CATEGORY_DISPLAY,
    DEVICE_CATEGORY_SOUND,
    DEVICE_CATEGORY_MISC,
    DEVICE_CATEGORY_CPU,
    DEVICE_CATEGORY__MAX,
} DeviceCategory;

typedef struct NamedGPIOList {
    char *name;
    qemu_irq *in;
    int num_in;
    qemu_irq **out;     /* pointers to the device's output pin variables */
    int num_out;
    struct NamedGPIOList *next;
} NamedGPIOList;

struct DeviceClass {
    ObjectClass parent_class;
    const char *desc;
    DeviceCategory category;
    bool user_creatable;       /* may be created with -device */
    bool hotpluggable;
    const char *bus_type;      /* NULL: no bus (sysbus-less platform device) */
    void (*realize)(DeviceState *dev, Error **errp);
    void (*unrealize)(DeviceState *dev);
    void (*reset)(DeviceState *dev, ResetType type);
    const VMStateDescription *vmsd;
};

struct DeviceState {
    Object parent_obj;
    char *id;                  /* -device ...,id= */
    bool realized;
    BusState *parent_bus;
    GSList *child_buses;       /* BusState * */
    NamedGPIOList *gpios;
    /* Counters of guest accesses the device ignored (shown by info commands). */
    uint64_t ignored_accesses;
};

struct BusClass {
    ObjectClass parent_class;
    /* One line per device in `info qtree` (e.g. "addr 01.0"). */
    void (*print_dev)(GString *out, DeviceState *dev, int indent);
    /* Check that @dev may be plugged (free slot...). */
    bool (*check_address)(BusState *bus, DeviceState *dev, Error **errp);
    int max_dev;               /* 0 = unlimited */
};

struct BusState {
    Object parent_obj;
    DeviceState *parent;
    char *name;
    GList *children;           /* DeviceState *, in plug order */
    int num_children;
    bool realized;
};

DECLARE_OBJ_CHECKERS(DeviceState, DeviceClass, DEVICE, TYPE_DEVICE)
DECLARE_OBJ_CHECKERS(BusState, BusClass, BUS, TYPE_BUS)

/* ---- static field properties (QEMU's DEFINE_PROP_*) ---- */

typedef struct Property {
    const char *name;
    PropKind kind;
    size_t offset;
    int width;
    bool has_default;
    union {
        int64_t i;
        uint64_t u;
        bool b;
        const char *s;
    } def;
    const char *const *enum_names;
    const char *link_type;
    const char *description;
    bool set_after_realize;
} Property;

#define PROP_TYPED_OFFSET(State, field, ctype) \
    (offsetof(State, field) + \
     sizeof(char[__builtin_types_compatible_p(ctype, typeof(((State *)0)->field)) \
                 ? 1 : -1]) - 1)

#define DEFINE_PROP_BOOL(n, S, f, d) \
    { .name = (n), .kind = PROP_KIND_BOOL, .offset = PROP_TYPED_OFFSET(S, f, bool), \
      .width = 1, .has_default = true, .def.b = (d) }
#define DEFINE_PROP_UINTN_(n, S, f, d, ctype, w) \
    { .name = (n), .kind = PROP_KIND_UINT, .offset = PROP_TYPED_OFFSET(S, f, ctype), \
      .width = (w), .has_default = true, .def.u = (d) }
#define DEFINE_PROP_UINT8(n, S, f, d) DEFINE_PROP_UINTN_(n, S, f, d, uint8_t, 1)
#define DEFINE_PROP_UINT16(n, S, f, d) DEFINE_PROP_UINTN_(n, S, f, d, uint16_t, 2)
#define DEFINE_PROP_UINT32(n, S, f, d) DEFINE_PROP_UINTN_(n, S, f, d, uint32_t, 4)
#define DEFINE_PROP_UINT64(n, S, f, d) DEFINE_PROP_UINTN_(n, S, f, d, uint64_t, 8)
#define DEFINE_PROP_INTN_(n, S, f, d, ctype, w) \
    { .name = (n), .kind = PROP_KIND_INT, .offset = PROP_TYPED_OFFSET(S, f, ctype), \
      .width = (w), .has_default = true, .def.i = (d) }
#define DEFINE_PROP_INT32(n, S, f, d) DEFINE_PROP_INTN_(n, S, f, d, int32_t, 4)
#define DEFINE_PROP_INT64(n, S, f, d) DEFINE_PROP_INTN_(n, S, f, d, int64_t, 8)
#define DEFINE_PROP_SIZE(n, S, f, d) \
    { .name = (n), .kind = PROP_KIND_SIZE, .offset = PROP_TYPED_OFFSET(S, f, uint64_t), \
      .width = 8, .has_default = true, .def.u = (d) }
#define DEFINE_PROP_STRING(n, S, f) \
    { .name = (n), .kind = PROP_KIND_STRING, .offset = PROP_TYPED_OFFSET(S, f, char *), \
      .width = 8 }
/* @names: NULL-terminated array; the field is an int holding the index. */
#define DEFINE_PROP_ENUM(n, S, f, d, names) \
    { .name = (n), .kind = PROP_KIND_ENUM, .offset = PROP_TYPED_OFFSET(S, f, int), \
      .width = 4, .has_default = true, .def.i = (d), .enum_names = (names) }
#define DEFINE_PROP_LINK(n, S, f, type, ctype) \
    { .name = (n), .kind = PROP_KIND_LINK, .offset = PROP_TYPED_OFFSET(S, f, ctype), \
      .width = 8, .link_type = (type) }
#define DEFINE_PROP_END_OF_LIST() { .name = NULL }

/* Register @props (terminated by DEFINE_PROP_END_OF_LIST) on a device class. */
void device_class_set_props(DeviceClass *dc, const Property *props);
/* Same for any object class (machines, backends). */
void object_class_add_static_props(ObjectClass *oc, const Property *props);

/* ---- lifecycle ---- */

DeviceState *qdev_new(const char *typename);
/* Plug into @bus (may be NULL for bus-less devices) and realize. On failure the
 * device is unplugged again. */
bool qdev_realize(DeviceState *dev, BusState *bus, Error **errp);
/* qdev_realize, then drop the caller's reference (the tree holds one). */
bool qdev_realize_and_unref(DeviceState *dev, BusState *bus, Error **errp);
void qdev_unrealize(DeviceState *dev);
void qdev_set_parent_bus(DeviceState *dev, BusState *bus);
void qdev_set_id(DeviceState *dev, const char *id);

/* Reset @dev and everything on its child buses. */
void qdev_reset(DeviceState *dev, ResetType type);
/* Reset every realized device in the tree (system reset). */
void qdev_reset_all_devices(ResetType type);

DeviceState *qdev_find_by_id(const char *id);

/* ---- buses ---- */

void qbus_init(void *bus, size_t size, const char *typename, DeviceState *parent,
               const char *name);
BusState *qbus_new(const char *typename, DeviceState *parent, const char *name);
/* First bus named @name (or of type @typename when name is NULL) anywhere. */
BusState *qbus_find(const char *name_or_path, Error **errp);
BusState *qdev_get_child_bus(DeviceState *dev, const char *name);

/* ---- GPIO lines ---- */

void qdev_init_gpio_in(DeviceState *dev, qemu_irq_handler handler, int n);
void qdev_init_gpio_in_named(DeviceState *dev, qemu_irq_handler handler,
                             const char *name, int n);
void qdev_init_gpio_out(DeviceState *dev, qemu_irq *pins, int n);
void qdev_init_gpio_out_named(DeviceState *dev, qemu_irq *pins, const char *name, int n);
qemu_irq qdev_get_gpio_in(DeviceState *dev, int n);
qemu_irq qdev_get_gpio_in_named(DeviceState *dev, const char *name, int n);
void qdev_connect_gpio_out(DeviceState *dev, int n, qemu_irq irq);
void qdev_connect_gpio_out_named(DeviceState *dev, const char *name, int n, qemu_irq irq);
NamedGPIOList *qdev_get_named_gpio_list(DeviceState *dev, const char *name);

/* ---- monitor and CLI ---- */

/* -global DRIVER.PROP=VALUE: a default applied to every new DRIVER instance
 * (and subclasses). Checks that the driver and property exist. */
bool qdev_add_global(const char *driver, const char *prop, const char *value,
                     Error **errp);

/* -device DRIVER,id=,bus=,prop=... (keys parsed by the caller, implied "driver"). */
typedef struct Opts Opts;
DeviceState *qdev_device_add(Opts *opts, Error **errp);
/* -device help and -device DRIVER,help text. */
void qdev_print_device_list(GString *out);
bool qdev_print_device_props(const char *driver, GString *out, Error **errp);
/* info qtree */
void qdev_print_qtree(GString *out);

#endif
