/*
 * The KVM accelerator (-accel kvm): /dev/kvm and the VM file descriptor, memory
 * slots kept in step with the flat view of guest-physical memory, the
 * in-kernel irqchip (PIC, IOAPIC, LAPICs, PIT) with the PC's GSI routing, and
 * the irqfd/ioeventfd/MSI helpers devices use for fast paths.
 *
 * Reference: the Linux KVM API (Documentation/virt/kvm/api.rst).
 */
#include "system/kvm-int.h"
#include "system/kvm.h"
#include "system/cpus.h"
#include "system/irqchip.h"
#include "system/runstate.h"
#include "system/main-loop.h"
#include "hw/core/machine.h"
#include "util/log.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

KVMState *kvm_state;

/* ---- ioctls ---- */

int kvm_ioctl(KVMState *s, unsigned long type, ...)
{
    va_list ap;
    va_start(ap, type);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    int r = ioctl(s->fd, type, arg);
    return r < 0 ? -errno : r;
}

int kvm_vm_ioctl(KVMState *s, unsigned long type, ...)
{
    va_list ap;
    va_start(ap, type);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    int r = ioctl(s->vmfd, type, arg);
    return r < 0 ? -errno : r;
}

int kvm_vcpu_ioctl(CPUState *cpu, unsigned long type, ...)
{
    va_list ap;
    va_start(ap, type);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    int r = ioctl(cpu->accel->fd, type, arg);
    return r < 0 ? -errno : r;
}

int kvm_check_extension(KVMState *s, unsigned int extension)
{
    int r = ioctl(s->fd, KVM_CHECK_EXTENSION, (unsigned long)extension);
    return r < 0 ? 0 : r;
}

int kvm_vm_check_extension(KVMState *s, unsigned int extension)
{
    if (s->vmfd < 0) {
        return kvm_check_extension(s, extension);
    }
    int r = ioctl(s->vmfd, KVM_CHECK_EXTENSION, (unsigned long)extension);
    return r < 0 ? kvm_check_extension(s, extension) : r;
}

bool kvm_enabled(void)
{
    return kvm_state != NULL;
}

bool kvm_irqchip_in_kernel(void)
{
    return kvm_state && kvm_state->irqchip_in_kernel;
}

bool kvm_is_pvm(void)
{
    return kvm_state && kvm_state->pvm;
}

/* ---- availability ---- */

static int open_dev_kvm(Error **errp)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT || e == ENXIO || e == ENODEV) {
            error_setg(errp, "no /dev/kvm: this host has no KVM (load the kvm_intel or "
                       "kvm_amd module, or enable virtualization in the firmware)");
        } else if (e == EACCES || e == EPERM) {
            error_setg(errp, "permission denied on /dev/kvm (add yourself to group kvm)");
        } else {
            error_setg_errno(errp, e, "cannot open /dev/kvm");
        }
        return -1;
    }
    int v = ioctl(fd, KVM_GET_API_VERSION, 0);
    if (v != KVM_API_VERSION) {
        error_setg(errp, "/dev/kvm speaks KVM API version %d; emu needs version %d", v,
                   KVM_API_VERSION);
        close(fd);
        return -1;
    }
    return fd;
}

static int create_vm(int fd)
{
    int r;
    do {
        r = ioctl(fd, KVM_CREATE_VM, 0);
    } while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : r;
}

static bool kvm_accel_available(Error **errp)
{
    int fd = open_dev_kvm(errp);
    if (fd < 0) {
        return false;
    }
    /* Creating a VM is what fails when nested virtualization is off. */
    int vm = create_vm(fd);
    close(fd);
    if (vm < 0) {
        error_setg_errno(errp, -vm, "KVM_CREATE_VM failed (no hardware virtualization, or "
                         "nested virtualization is disabled on this host)");
        return false;
    }
    close(vm);
    return true;
}

/* kvm_pvm, or any KVM that works while the CPU shows no VMX/SVM: software only. */
static bool detect_software_kvm(bool *is_pvm)
{
    *is_pvm = access("/sys/module/kvm_pvm", F_OK) == 0;
    if (*is_pvm) {
        return true;
    }
    g_autofree char *cpuinfo = NULL;
    if (!g_file_get_contents("/proc/cpuinfo", &cpuinfo, NULL, NULL)) {
        return false;
    }
    for (char *line = cpuinfo; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl) {
            *nl = 0;
        }
        if (g_str_has_prefix(line, "flags")) {
            g_auto(GStrv) flags = g_strsplit(line, " ", -1);
            for (char **f = flags; *f; f++) {
                if (!strcmp(*f, "vmx") || !strcmp(*f, "svm")) {
                    return false;
                }
            }
            return true;
        }
        line = nl ? nl + 1 : NULL;
    }
    return false;
}

/* ---- memory slots ---- */

static KVMSlot *slot_alloc(KVMState *s)
{
    for (int i = 0; i < s->nr_slots; i++) {
        if (!s->slots[i].memory_size) {
            return &s->slots[i];
        }
    }
    return NULL;
}

static void slot_clear(KVMSlot *slot)
{
    int n = slot->slot;
    g_free(slot->dirty_bmap);
    memset(slot, 0, sizeof(*slot));
    slot->slot = n;
}

static KVMSlot *slot_find(KVMState *s, hwaddr start, uint64_t size)
{
    for (int i = 0; i < s->nr_slots; i++) {
        if (s->slots[i].memory_size && s->slots[i].start_addr == start &&
            s->slots[i].memory_size == size) {
            return &s->slots[i];
        }
    }
    return NULL;
}

static int slot_update(KVMState *s, KVMSlot *slot, uint64_t size)
{
    struct kvm_userspace_memory_region mem = {
        .slot = slot->slot,
        .flags = slot->flags,
        .guest_phys_addr = slot->start_addr,
        .memory_size = size,
        .userspace_addr = (uintptr_t)slot->ram,
    };
    return kvm_vm_ioctl(s, KVM_SET_USER_MEMORY_REGION, &mem);
}

static bool section_logs_dirty(KVMState *s, MemoryRegionSection *sec)
{
    return s->global_dirty_log || sec->mr->dirty_log_mask;
}

/* The page-aligned part of @sec KVM can map: guest and host addresses both aligned. */
static bool section_pages(MemoryRegionSection *sec, hwaddr *start, uint64_t *size,
                          void **ram)
{
    hwaddr s0 = sec->offset_within_address_space;
    if (sec->size == UINT64_MAX) {
        return false;
    }
    hwaddr first = (s0 + TARGET_PAGE_SIZE - 1) & TARGET_PAGE_MASK;
    hwaddr end = (s0 + sec->size) & TARGET_PAGE_MASK;
    if (end <= first) {
        return false;
    }
    uint8_t *host = memory_region_get_ram_ptr(sec->mr);
    if (!host) {
        return false;
    }
    host += sec->offset_within_region + (first - s0);
    if ((uintptr_t)host & (TARGET_PAGE_SIZE - 1)) {
        /* Host and guest pages do not line up: leave it to MMIO exits. */
        emu_log_mask(LOG_UNIMP, "kvm: %s at %#" PRIx64 " is not page-aligned in host "
                     "memory; accesses go through emu\n", memory_region_name(sec->mr), s0);
        return false;
    }
    *start = first;
    *size = end - first;
    *ram = host;
    return true;
}

static void slot_sync_dirty(KVMState *s, KVMSlot *slot, void *opaque);

static void kvm_set_phys_mem(KVMState *s, MemoryRegionSection *sec, bool add)
{
    hwaddr start;
    uint64_t size;
    void *ram;

    /* MMIO is not mapped: accesses to it exit to emu. */
    if (!memory_region_is_ram(sec->mr) || !section_pages(sec, &start, &size, &ram)) {
        return;
    }
    if (!add) {
        KVMSlot *slot = slot_find(s, start, size);
        if (!slot) {
            return;
        }
        /*
         * KVM drops a slot's dirty log with the slot: collect it first, or the
         * pages written since the last sync are lost whenever a logged region
         * moves or is unmapped (a framebuffer BAR being moved, a VGA window
         * switched, any remap during migration). Found with emu-testdev's
         * RAM_DIRTY register (tests/guests/memslot.c).
         */
        if (slot->flags & KVM_MEM_LOG_DIRTY_PAGES) {
            slot_sync_dirty(s, slot, NULL);
        }
        int r = slot_update(s, slot, 0);
        if (r < 0) {
            error_report("kvm: removing memory slot %d at %#" PRIx64 ": %s", slot->slot,
                         start, g_strerror(-r));
        }
        slot_clear(slot);
        return;
    }
    KVMSlot *slot = slot_alloc(s);
    if (!slot) {
        error_report("kvm: out of memory slots (%d) mapping %s at %#" PRIx64,
                     s->nr_slots, memory_region_name(sec->mr), start);
        return;
    }
    bool readonly = sec->readonly || memory_region_is_rom(sec->mr);
    slot->start_addr = start;
    slot->ram = ram;
    slot->mr = sec->mr;
    slot->offset_in_region = sec->offset_within_region + (start -
                                                          sec->offset_within_address_space);
    slot->flags = 0;
    if (readonly) {
        if (s->readonly_mem) {
            slot->flags |= KVM_MEM_READONLY;
        } else {
            emu_log_mask(LOG_BOOT, "kvm: no KVM_CAP_READONLY_MEM: %s is writable\n",
                         memory_region_name(sec->mr));
        }
    }
    if (section_logs_dirty(s, sec) && !(slot->flags & KVM_MEM_READONLY)) {
        slot->flags |= KVM_MEM_LOG_DIRTY_PAGES;
    }
    int r = slot_update(s, slot, size);
    if (r < 0) {
        error_report("kvm: mapping %s (%#" PRIx64 "+%#" PRIx64 ") into the guest: %s",
                     memory_region_name(sec->mr), start, size, g_strerror(-r));
        slot_clear(slot);
        return;
    }
    slot->memory_size = size;
    emu_log_mask(LOG_BOOT, "kvm: slot %d: %#" PRIx64 "-%#" PRIx64 " %s%s%s\n", slot->slot,
                 start, start + size - 1, memory_region_name(sec->mr),
                 slot->flags & KVM_MEM_READONLY ? " (read-only)" : "",
                 slot->flags & KVM_MEM_LOG_DIRTY_PAGES ? " (dirty log)" : "");
}

static void kvm_region_add(MemoryListener *l, MemoryRegionSection *sec)
{
    kvm_set_phys_mem(container_of(l, KVMState, memory_listener), sec, true);
}

static void kvm_region_del(MemoryListener *l, MemoryRegionSection *sec)
{
    kvm_set_phys_mem(container_of(l, KVMState, memory_listener), sec, false);
}

/* Slots inside @sec (a section may have been trimmed to pages, never split). */
static void for_each_slot_in(KVMState *s, MemoryRegionSection *sec,
                             void (*fn)(KVMState *s, KVMSlot *slot, void *opaque),
                             void *opaque)
{
    hwaddr lo = sec->offset_within_address_space;
    hwaddr hi = lo + sec->size;
    for (int i = 0; i < s->nr_slots; i++) {
        KVMSlot *slot = &s->slots[i];
        if (slot->memory_size && slot->start_addr >= lo &&
            slot->start_addr + slot->memory_size <= hi) {
            fn(s, slot, opaque);
        }
    }
}

static void slot_set_logging(KVMState *s, KVMSlot *slot, void *opaque)
{
    bool on = GPOINTER_TO_INT(opaque);
    uint32_t flags = slot->flags & ~KVM_MEM_LOG_DIRTY_PAGES;
    if (on && !(slot->flags & KVM_MEM_READONLY)) {
        flags |= KVM_MEM_LOG_DIRTY_PAGES;
    }
    if (flags == slot->flags) {
        return;
    }
    slot->flags = flags;
    int r = slot_update(s, slot, slot->memory_size);
    if (r < 0) {
        error_report("kvm: dirty logging %s on slot %d: %s", on ? "on" : "off", slot->slot,
                     g_strerror(-r));
    }
}

static void kvm_log_start(MemoryListener *l, MemoryRegionSection *sec, int old, int new)
{
    KVMState *s = container_of(l, KVMState, memory_listener);
    for_each_slot_in(s, sec, slot_set_logging, GINT_TO_POINTER(1));
}

static void kvm_log_stop(MemoryListener *l, MemoryRegionSection *sec, int old, int new)
{
    KVMState *s = container_of(l, KVMState, memory_listener);
    if (!new && !s->global_dirty_log) {
        for_each_slot_in(s, sec, slot_set_logging, GINT_TO_POINTER(0));
    }
}

static void slot_sync_dirty(KVMState *s, KVMSlot *slot, void *opaque)
{
    if (!(slot->flags & KVM_MEM_LOG_DIRTY_PAGES)) {
        return;
    }
    uint64_t pages = slot->memory_size / TARGET_PAGE_SIZE;
    size_t words = (pages + 63) / 64;
    if (!slot->dirty_bmap) {
        slot->dirty_bmap = g_new0(unsigned long, words);
    }
    struct kvm_dirty_log log = { .slot = slot->slot, .dirty_bitmap = slot->dirty_bmap };
    int r = kvm_vm_ioctl(s, KVM_GET_DIRTY_LOG, &log);
    if (r < 0) {
        error_report("kvm: KVM_GET_DIRTY_LOG on slot %d: %s", slot->slot, g_strerror(-r));
        return;
    }
    for (size_t w = 0; w < words; w++) {
        unsigned long bits = slot->dirty_bmap[w];
        while (bits) {
            int b = __builtin_ctzl(bits);
            bits &= bits - 1;
            hwaddr off = (w * 64 + b) * TARGET_PAGE_SIZE;
            memory_region_set_dirty(slot->mr, slot->offset_in_region + off,
                                    TARGET_PAGE_SIZE);
        }
    }
}

static void kvm_log_sync(MemoryListener *l, MemoryRegionSection *sec)
{
    KVMState *s = container_of(l, KVMState, memory_listener);
    for_each_slot_in(s, sec, slot_sync_dirty, NULL);
}

static void kvm_log_global(KVMState *s, bool on)
{
    s->global_dirty_log = on;
    for (int i = 0; i < s->nr_slots; i++) {
        KVMSlot *slot = &s->slots[i];
        if (slot->memory_size) {
            slot_set_logging(s, slot, GINT_TO_POINTER(on || slot->mr->dirty_log_mask));
        }
    }
}

static void kvm_log_global_start(MemoryListener *l)
{
    kvm_log_global(container_of(l, KVMState, memory_listener), true);
}

static void kvm_log_global_stop(MemoryListener *l)
{
    kvm_log_global(container_of(l, KVMState, memory_listener), false);
}

/* ---- interrupt routing ---- */

static void set_gsi_used(KVMState *s, int gsi, bool used)
{
    unsigned long bit = 1ul << (gsi % (8 * sizeof(long)));
    if (used) {
        s->used_gsi_bitmap[gsi / (8 * sizeof(long))] |= bit;
    } else {
        s->used_gsi_bitmap[gsi / (8 * sizeof(long))] &= ~bit;
    }
}

static bool gsi_used(KVMState *s, int gsi)
{
    return s->used_gsi_bitmap[gsi / (8 * sizeof(long))] & (1ul << (gsi % (8 * sizeof(long))));
}

static void add_routing_entry(KVMState *s, const struct kvm_irq_routing_entry *entry)
{
    if (!s->irq_routes || s->irq_routes->nr == (uint32_t)s->nr_allocated_irq_routes) {
        int n = MAX(64, s->nr_allocated_irq_routes * 2);
        size_t sz = sizeof(struct kvm_irq_routing) + n * sizeof(struct kvm_irq_routing_entry);
        uint32_t nr = s->irq_routes ? s->irq_routes->nr : 0;
        s->irq_routes = g_realloc(s->irq_routes, sz);
        s->irq_routes->nr = nr;
        s->irq_routes->flags = 0;
        s->nr_allocated_irq_routes = n;
    }
    s->irq_routes->entries[s->irq_routes->nr++] = *entry;
    set_gsi_used(s, entry->gsi, true);
}

static void add_irqchip_route(KVMState *s, int gsi, int irqchip, int pin)
{
    struct kvm_irq_routing_entry e = {
        .gsi = gsi,
        .type = KVM_IRQ_ROUTING_IRQCHIP,
        .u.irqchip = { .irqchip = irqchip, .pin = pin },
    };
    add_routing_entry(s, &e);
}

int kvm_irqchip_commit_routes(void)
{
    KVMState *s = kvm_state;
    if (!s || !s->irqchip_in_kernel) {
        return -ENOSYS;
    }
    return kvm_vm_ioctl(s, KVM_SET_GSI_ROUTING, s->irq_routes);
}

/*
 * The PC's routing, as QEMU's pc: GSI 0-15 reach the PIC pins (the cascade pin
 * 2 excepted), GSI 0-23 the IOAPIC pins, with the timer's GSI 0 landing on
 * IOAPIC pin 2 (the MADT's IRQ0 -> GSI2 override).
 */
static int setup_pc_irq_routing(KVMState *s)
{
    for (int i = 0; i < 8; i++) {
        if (i != 2) {
            add_irqchip_route(s, i, KVM_IRQCHIP_PIC_MASTER, i);
        }
    }
    for (int i = 8; i < 16; i++) {
        add_irqchip_route(s, i, KVM_IRQCHIP_PIC_SLAVE, i - 8);
    }
    for (int i = 0; i < 24; i++) {
        if (i == 0) {
            add_irqchip_route(s, i, KVM_IRQCHIP_IOAPIC, 2);
        } else if (i != 2) {
            add_irqchip_route(s, i, KVM_IRQCHIP_IOAPIC, i);
        }
    }
    set_gsi_used(s, 2, true);   /* the cascade: never handed out for MSI */
    return kvm_irqchip_commit_routes();
}

static int alloc_virq(KVMState *s)
{
    for (int gsi = 24; gsi < s->gsi_count; gsi++) {
        if (!gsi_used(s, gsi)) {
            return gsi;
        }
    }
    return -ENOSPC;
}

static void fill_msi(struct kvm_irq_routing_entry *e, int gsi, uint64_t addr,
                     uint32_t data)
{
    memset(e, 0, sizeof(*e));
    e->gsi = gsi;
    e->type = KVM_IRQ_ROUTING_MSI;
    e->u.msi.address_lo = (uint32_t)addr;
    e->u.msi.address_hi = addr >> 32;
    e->u.msi.data = data;
}

int kvm_irqchip_add_msi_route(uint64_t addr, uint32_t data)
{
    KVMState *s = kvm_state;
    if (!s || !s->irqchip_in_kernel) {
        return -ENOSYS;
    }
    int virq = alloc_virq(s);
    if (virq < 0) {
        return virq;
    }
    struct kvm_irq_routing_entry e;
    fill_msi(&e, virq, addr, data);
    add_routing_entry(s, &e);
    return virq;
}

int kvm_irqchip_update_msi_route(int virq, uint64_t addr, uint32_t data)
{
    KVMState *s = kvm_state;
    if (!s || !s->irqchip_in_kernel) {
        return -ENOSYS;
    }
    for (uint32_t i = 0; i < s->irq_routes->nr; i++) {
        struct kvm_irq_routing_entry *e = &s->irq_routes->entries[i];
        if (e->gsi == (uint32_t)virq && e->type == KVM_IRQ_ROUTING_MSI) {
            fill_msi(e, virq, addr, data);
            return 0;
        }
    }
    return -ESRCH;
}

void kvm_irqchip_release_virq(int virq)
{
    KVMState *s = kvm_state;
    if (!s || !s->irq_routes || virq < 24) {
        return;
    }
    for (uint32_t i = 0; i < s->irq_routes->nr; i++) {
        if (s->irq_routes->entries[i].gsi == (uint32_t)virq) {
            s->irq_routes->nr--;
            s->irq_routes->entries[i] = s->irq_routes->entries[s->irq_routes->nr];
            i--;
        }
    }
    set_gsi_used(s, virq, false);
}

int kvm_send_msi(uint64_t addr, uint32_t data)
{
    KVMState *s = kvm_state;
    if (!s || !s->irqchip_in_kernel || !s->signal_msi) {
        return -ENOSYS;
    }
    struct kvm_msi msi = { .address_lo = (uint32_t)addr, .address_hi = addr >> 32,
                           .data = data };
    return kvm_vm_ioctl(s, KVM_SIGNAL_MSI, &msi);
}

int kvm_irqchip_add_irqfd(int fd, int resample_fd, int gsi)
{
    KVMState *s = kvm_state;
    if (!s || !s->irqchip_in_kernel || !s->irqfd) {
        return -ENOSYS;
    }
    if (resample_fd >= 0 && !s->irqfd_resample) {
        return -ENOSYS;
    }
    struct kvm_irqfd irqfd = { .fd = fd, .gsi = gsi };
    if (resample_fd >= 0) {
        irqfd.flags = KVM_IRQFD_FLAG_RESAMPLE;
        irqfd.resamplefd = resample_fd;
    }
    return kvm_vm_ioctl(s, KVM_IRQFD, &irqfd);
}

int kvm_irqchip_remove_irqfd(int fd, int gsi)
{
    KVMState *s = kvm_state;
    if (!s || !s->irqchip_in_kernel || !s->irqfd) {
        return -ENOSYS;
    }
    struct kvm_irqfd irqfd = { .fd = fd, .gsi = gsi, .flags = KVM_IRQFD_FLAG_DEASSIGN };
    return kvm_vm_ioctl(s, KVM_IRQFD, &irqfd);
}

static int set_ioeventfd(int fd, uint64_t addr, uint64_t val, bool assign, int size,
                         bool datamatch, bool pio)
{
    KVMState *s = kvm_state;
    if (!s || !s->ioeventfd) {
        return -ENOSYS;
    }
    struct kvm_ioeventfd io = {
        .datamatch = datamatch ? val : 0,
        .addr = addr,
        .len = size,
        .fd = fd,
        .flags = (datamatch ? KVM_IOEVENTFD_FLAG_DATAMATCH : 0) |
                 (pio ? KVM_IOEVENTFD_FLAG_PIO : 0) |
                 (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN),
    };
    return kvm_vm_ioctl(s, KVM_IOEVENTFD, &io);
}

int kvm_set_ioeventfd_pio(int fd, uint16_t addr, uint64_t val, bool assign, int size,
                          bool datamatch)
{
    return set_ioeventfd(fd, addr, val, assign, size, datamatch, true);
}

int kvm_set_ioeventfd_mmio(int fd, uint64_t addr, uint64_t val, bool assign, int size,
                           bool datamatch)
{
    return set_ioeventfd(fd, addr, val, assign, size, datamatch, false);
}

/*
 * ioeventfds from the flat views (memory_region_add_eventfd): registered with
 * KVM_IOEVENTFD so the guest's doorbell write is turned into an eventfd signal
 * inside the kernel. If KVM refuses one, the write exits as before and emu's
 * own dispatch signals the notifier, so this is only ever a fast path.
 */
static MemoryListener kvm_mmio_eventfd_listener, kvm_pio_eventfd_listener;
static bool kvm_ioeventfd_any_length;
static uint64_t kvm_ioeventfds_assigned, kvm_ioeventfds_failed;

static void kvm_eventfd_update(MemoryRegionSection *sec, bool match_data, uint64_t data,
                               EventNotifier *e, bool assign, bool pio)
{
    int fd = event_notifier_get_fd(e);
    uint64_t addr = sec->offset_within_address_space;
    int size = sec->size;
    if (!size) {
        /* Any size: without KVM_CAP_IOEVENTFD_ANY_LENGTH, the 16-bit write drivers use
         * for virtio notifications (other sizes exit and are matched by emu). */
        size = kvm_ioeventfd_any_length && !pio ? 0 : 2;
    }
    int r = pio ? kvm_set_ioeventfd_pio(fd, addr, data, assign, size, match_data)
                : kvm_set_ioeventfd_mmio(fd, addr, data, assign, size, match_data);
    if (r < 0) {
        if (assign) {
            kvm_ioeventfds_failed++;
        }
        emu_log_mask(LOG_UNIMP, "kvm: %s ioeventfd at %s 0x%" PRIx64 " (%d bytes): %s; "
                     "the write exits to emu instead\n", assign ? "assigning" : "removing",
                     pio ? "port" : "address", addr, size, strerror(-r));
    } else if (assign) {
        kvm_ioeventfds_assigned++;
    }
}

static void kvm_mmio_eventfd_add(MemoryListener *l, MemoryRegionSection *sec,
                                 bool match_data, uint64_t data, EventNotifier *e)
{
    kvm_eventfd_update(sec, match_data, data, e, true, false);
}

static void kvm_mmio_eventfd_del(MemoryListener *l, MemoryRegionSection *sec,
                                 bool match_data, uint64_t data, EventNotifier *e)
{
    kvm_eventfd_update(sec, match_data, data, e, false, false);
}

static void kvm_pio_eventfd_add(MemoryListener *l, MemoryRegionSection *sec,
                                bool match_data, uint64_t data, EventNotifier *e)
{
    kvm_eventfd_update(sec, match_data, data, e, true, true);
}

static void kvm_pio_eventfd_del(MemoryListener *l, MemoryRegionSection *sec,
                                bool match_data, uint64_t data, EventNotifier *e)
{
    kvm_eventfd_update(sec, match_data, data, e, false, true);
}

static void kvm_eventfd_listeners_init(KVMState *s)
{
    if (!s->ioeventfd) {
        return;
    }
    kvm_ioeventfd_any_length = kvm_vm_check_extension(s, KVM_CAP_IOEVENTFD_ANY_LENGTH) > 0;
    kvm_mmio_eventfd_listener = (MemoryListener) {
        .eventfd_add = kvm_mmio_eventfd_add,
        .eventfd_del = kvm_mmio_eventfd_del,
        .priority = 10,
        .name = "kvm-ioeventfd-mmio",
    };
    kvm_pio_eventfd_listener = (MemoryListener) {
        .eventfd_add = kvm_pio_eventfd_add,
        .eventfd_del = kvm_pio_eventfd_del,
        .priority = 10,
        .name = "kvm-ioeventfd-pio",
    };
    memory_listener_register(&kvm_mmio_eventfd_listener, &address_space_memory);
    memory_listener_register(&kvm_pio_eventfd_listener, &address_space_io);
}

/* The board's GSI lines land here with the in-kernel irqchip. */
static void kvm_set_gsi(void *opaque, int gsi, int level)
{
    KVMState *s = opaque;
    struct kvm_irq_level event = { .irq = gsi, .level = level };
    int r = kvm_vm_ioctl(s, KVM_IRQ_LINE, &event);
    if (r < 0) {
        emu_log_mask(LOG_GUEST_ERROR, "kvm: KVM_IRQ_LINE gsi %d level %d: %s\n", gsi, level,
                     g_strerror(-r));
    }
}

static IrqchipSink kvm_irqchip_sink = { .set_gsi = kvm_set_gsi };

/* ---- kvmclock across stops ---- */

static void kvm_clock_change(void *opaque, bool running, RunState state)
{
    KVMState *s = opaque;
    if (!s->adjust_clock) {
        return;
    }
    if (running) {
        if (s->clock_valid) {
            /* Guest time resumes where it stopped (as QEMU's kvmclock device). */
            struct kvm_clock_data data = { .clock = s->clock };
            kvm_vm_ioctl(s, KVM_SET_CLOCK, &data);
            s->clock_valid = false;
        }
    } else {
        struct kvm_clock_data data = { 0 };
        if (kvm_vm_ioctl(s, KVM_GET_CLOCK, &data) == 0) {
            s->clock = data.clock;
            s->clock_valid = true;
        }
    }
}

/* ---- initialisation ---- */

static const struct {
    unsigned int cap;
    const char *name;
} required_caps[] = {
    { KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
    { KVM_CAP_DESTROY_MEMORY_REGION_WORKS, "KVM_CAP_DESTROY_MEMORY_REGION_WORKS" },
    { KVM_CAP_JOIN_MEMORY_REGIONS_WORKS, "KVM_CAP_JOIN_MEMORY_REGIONS_WORKS" },
    { KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
    { KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
    { KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE" },
    { KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
    { KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
    { KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING" },
    { KVM_CAP_PIT2, "KVM_CAP_PIT2" },
    { KVM_CAP_PIT_STATE2, "KVM_CAP_PIT_STATE2" },
    { KVM_CAP_IRQ_INJECT_STATUS, "KVM_CAP_IRQ_INJECT_STATUS" },
};

static bool machine_prop_is(MachineState *ms, const char *name, const char *value)
{
    if (!object_property_find(OBJECT(ms), name)) {
        return false;
    }
    g_autofree char *v = object_property_print(OBJECT(ms), name, NULL);
    return v && !strcmp(v, value);
}

/* The PC's interrupt controllers (and PIT) in the kernel: kernel-irqchip=on. */
static bool kvm_create_irqchip(KVMState *s, bool pit, Error **errp)
{
    int r = kvm_vm_ioctl(s, KVM_CREATE_IRQCHIP, NULL);
    if (r < 0) {
        error_setg(errp, "KVM_CREATE_IRQCHIP: %s", g_strerror(-r));
        return false;
    }
    s->irqchip_in_kernel = true;
    s->gsi_count = kvm_check_extension(s, KVM_CAP_IRQ_ROUTING);
    s->used_gsi_bitmap = g_new0(unsigned long, s->gsi_count / (8 * sizeof(long)) + 1);
    r = setup_pc_irq_routing(s);
    if (r < 0) {
        error_setg(errp, "KVM_SET_GSI_ROUTING: %s", g_strerror(-r));
        return false;
    }
    if (pit) {
        /* Port 0x61 (speaker) stays emu's: the in-kernel PIT ignores it. */
        struct kvm_pit_config cfg = { .flags = KVM_PIT_SPEAKER_DUMMY };
        r = kvm_vm_ioctl(s, KVM_CREATE_PIT2, &cfg);
        if (r < 0) {
            error_setg(errp, "KVM_CREATE_PIT2: %s", g_strerror(-r));
            return false;
        }
    }
    kvm_irqchip_sink.opaque = s;
    irqchip_set_sink(&kvm_irqchip_sink);

    return true;
}

static bool kvm_init_machine(AccelState *accel, MachineState *ms, Error **errp)
{
    KVMState *s = KVM_STATE(accel);

    s->fd = -1;
    s->vmfd = -1;
    /* off: emu's PIC, I/O APIC, LAPICs and PIT (target/i386/kvm/kvm-user-irqchip.c). */
    bool user_irqchip = machine_prop_is(ms, "kernel-irqchip", "off");
    if (machine_prop_is(ms, "kernel-irqchip", "split")) {
        error_setg(errp, "kernel-irqchip=split is not supported: use kernel-irqchip=on "
                   "(KVM's PIC, I/O APIC and LAPICs) or off (emu's; see docs/kvm.md)");
        return false;
    }
    s->fd = open_dev_kvm(errp);
    if (s->fd < 0) {
        return false;
    }
    for (size_t i = 0; i < ARRAY_SIZE(required_caps); i++) {
        if (!kvm_check_extension(s, required_caps[i].cap)) {
            error_setg(errp, "this host's KVM lacks %s, which emu needs", required_caps[i].name);
            return false;
        }
    }
    s->vcpu_mmap_size = kvm_ioctl(s, KVM_GET_VCPU_MMAP_SIZE, NULL);
    if (s->vcpu_mmap_size < (int)sizeof(struct kvm_run)) {
        error_setg(errp, "KVM_GET_VCPU_MMAP_SIZE: %s", g_strerror(-s->vcpu_mmap_size));
        return false;
    }
    s->max_vcpus = kvm_check_extension(s, KVM_CAP_MAX_VCPUS);
    s->recommended_vcpus = kvm_check_extension(s, KVM_CAP_NR_VCPUS);
    if (!s->recommended_vcpus) {
        s->recommended_vcpus = 4;
    }
    if (!s->max_vcpus) {
        s->max_vcpus = s->recommended_vcpus;
    }
    if (ms->smp.max_cpus > (unsigned)s->max_vcpus) {
        error_setg(errp, "-smp %u: this host's KVM supports at most %d vCPUs",
                   ms->smp.max_cpus, s->max_vcpus);
        return false;
    }
    if (ms->smp.cpus > (unsigned)s->recommended_vcpus) {
        emu_log_mask(LOG_BOOT, "kvm: %u vCPUs exceed the %d KVM recommends for this host\n",
                     ms->smp.cpus, s->recommended_vcpus);
    }

    s->vmfd = create_vm(s->fd);
    kvm_state = s;
    if (s->vmfd < 0) {
        error_setg_errno(errp, -s->vmfd, "KVM_CREATE_VM failed");
        return false;
    }
    s->readonly_mem = kvm_vm_check_extension(s, KVM_CAP_READONLY_MEM) > 0;
    s->vcpu_events = kvm_check_extension(s, KVM_CAP_VCPU_EVENTS) > 0;
    s->debugregs = kvm_check_extension(s, KVM_CAP_DEBUGREGS) > 0;
    s->xsave = kvm_check_extension(s, KVM_CAP_XSAVE) > 0;
    s->xcrs = kvm_check_extension(s, KVM_CAP_XCRS) > 0;
    s->xsave2_size = kvm_vm_check_extension(s, KVM_CAP_XSAVE2);
    s->adjust_clock = kvm_check_extension(s, KVM_CAP_ADJUST_CLOCK) > 0;
    s->tsc_control = kvm_check_extension(s, KVM_CAP_TSC_CONTROL) > 0;
    s->irqfd = kvm_vm_check_extension(s, KVM_CAP_IRQFD) > 0;
    s->irqfd_resample = kvm_vm_check_extension(s, KVM_CAP_IRQFD_RESAMPLE) > 0;
    s->ioeventfd = kvm_vm_check_extension(s, KVM_CAP_IOEVENTFD) > 0;
    s->signal_msi = kvm_vm_check_extension(s, KVM_CAP_SIGNAL_MSI) > 0;

    int nr_slots = kvm_vm_check_extension(s, KVM_CAP_NR_MEMSLOTS);
    s->nr_slots = nr_slots > 0 ? MIN(nr_slots, 512) : 32;
    s->slots = g_new0(KVMSlot, s->nr_slots);
    for (int i = 0; i < s->nr_slots; i++) {
        s->slots[i].slot = i;
    }

    if (!kvm_arch_init(s, ms, errp)) {
        return false;
    }

    bool pit = !object_property_find(OBJECT(ms), "pit") ||
               object_property_get_bool(OBJECT(ms), "pit", NULL);
    if (!user_irqchip && !kvm_create_irqchip(s, pit, errp)) {
        return false;
    }

    s->memory_listener = (MemoryListener) {
        .region_add = kvm_region_add,
        .region_del = kvm_region_del,
        .log_start = kvm_log_start,
        .log_stop = kvm_log_stop,
        .log_sync = kvm_log_sync,
        .log_global_start = kvm_log_global_start,
        .log_global_stop = kvm_log_global_stop,
        .priority = 10,
        .name = "kvm-memory",
    };
    memory_listener_register(&s->memory_listener, &address_space_memory);
    kvm_eventfd_listeners_init(s);
    runstate_add_change_handler(kvm_clock_change, s);
    kvm_cpus_init(s);

    bool pvm;
    if (detect_software_kvm(&pvm)) {
        s->pvm = true;
        info_report("kvm: host KVM is %s (software, no VMX/SVM): ring-3 guest code runs "
                    "natively, ring-0 code is emulated (~1000x slower, some instructions "
                    "missing); test guests run, unmodified kernels need a hardware KVM "
                    "host or -accel tcg (once its x86 translator is complete)", pvm ? "kvm_pvm" : "software-only");
    }
    emu_log_mask(LOG_BOOT, "kvm: API %d, %d memory slots, %s irqchip and PIT%s, "
                 "up to %d vCPUs\n", KVM_API_VERSION, s->nr_slots,
                 user_irqchip ? "emulated (kernel-irqchip=off)" : "in-kernel",
                 pit ? "" : " (no PIT)", s->max_vcpus);
    return true;
}

static void kvm_accel_class_init(ObjectClass *oc, void *data)
{
    AccelClass *ac = ACCEL_CLASS(oc);
    ac->name = "kvm";
    ac->available = kvm_accel_available;
    ac->init_machine = kvm_init_machine;
}

static const TypeInfo kvm_accel_types[] = {
    {
        .name = TYPE_KVM_ACCEL,
        .parent = TYPE_ACCEL,
        .instance_size = sizeof(KVMState),
        .class_init = kvm_accel_class_init,
    },
};
DEFINE_TYPES(kvm_accel_types)
