/*
 * The memory region tree, its rendering into flat views, listeners and I/O
 * dispatch. Guest-physical accessors and RAM live in system/physmem.c.
 */
#include "system/memory.h"
#include "util/log.h"
#include "util/rcu.h"
#include "system/main-loop.h"
#include "memory-internal.h"

GList *address_spaces;

static unsigned transaction_depth;
static bool update_pending;
static bool in_update;
/*
 * Views replaced during an update (or left by a destroyed address space),
 * released once the update is over and no RCU reader can still hold them.
 */
static GPtrArray *dead_views;
/* Some region's eventfds or the views changed: listeners may need eventfd_add/del. */
static bool ioeventfd_update_pending;

static void memory_region_update(void)
{
    memory_region_transaction_begin();
    update_pending = true;
    memory_region_transaction_commit();
}

/* ---- initialisation ---- */

static void region_init_common(MemoryRegion *mr, Object *owner, const char *name,
                               uint64_t size)
{
    memset(mr, 0, sizeof(*mr));
    mr->owner = owner;
    mr->name = g_strdup(name ? name : "anonymous");
    mr->size = size;
    mr->enabled = true;
}

void memory_region_init(MemoryRegion *mr, Object *owner, const char *name, uint64_t size)
{
    region_init_common(mr, owner, name, size);
}

static bool access_size_ok(unsigned s)
{
    return s == 0 || (s <= 8 && (s & (s - 1)) == 0);
}

void memory_region_init_io(MemoryRegion *mr, Object *owner, const MemoryRegionOps *ops,
                           void *opaque, const char *name, uint64_t size)
{
    g_assert(ops);
    g_assert(access_size_ok(ops->valid.min_access_size));
    g_assert(access_size_ok(ops->valid.max_access_size));
    g_assert(access_size_ok(ops->impl.min_access_size));
    g_assert(access_size_ok(ops->impl.max_access_size));
    region_init_common(mr, owner, name, size);
    mr->ops = ops;
    mr->opaque = opaque;
    mr->terminates = true;
}

void memory_region_init_ram_ptr(MemoryRegion *mr, Object *owner, const char *name,
                                uint64_t size, void *ptr)
{
    region_init_common(mr, owner, name, size);
    mr->ram = true;
    mr->terminates = true;
    mr->ram_block = ram_block_add(mr, ptr, size, 0, -1);
}

void memory_region_init_alias(MemoryRegion *mr, Object *owner, const char *name,
                              MemoryRegion *orig, hwaddr offset, uint64_t size)
{
    g_assert(orig && orig != mr);
    region_init_common(mr, owner, name, size);
    mr->alias = orig;
    mr->alias_offset = offset;
}

void memory_region_finalize(MemoryRegion *mr)
{
    if (!mr->name) {
        return;    /* never initialised, or already finalised */
    }
    memory_region_transaction_begin();
    if (mr->container) {
        memory_region_del_subregion(mr->container, mr);
    }
    while (mr->subregions) {
        memory_region_del_subregion(mr, mr->subregions);
    }
    memory_region_transaction_commit();
    if (mr->ram_block) {
        ram_block_free(mr->ram_block);
    }
    g_free(mr->ioeventfds);
    g_free(mr->name);
    memset(mr, 0, sizeof(*mr));
}

/* ---- tree edits ---- */

static void add_subregion_common(MemoryRegion *parent, hwaddr offset, MemoryRegion *sub,
                                 int priority)
{
    g_assert(sub->name && parent->name);
    g_assert(!sub->container);
    g_assert(!parent->alias);
    sub->container = parent;
    sub->addr = offset;
    sub->priority = priority;
    /*
     * Rendering walks this list front to back and the first region to claim an
     * address wins: keep it by descending priority, a newcomer ahead of its
     * equals so that the later of two equal-priority regions wins.
     */
    MemoryRegion **link = &parent->subregions;
    while (*link && (*link)->priority > priority) {
        link = &(*link)->next_sibling;
    }
    sub->next_sibling = *link;
    *link = sub;
    memory_region_update();
}

void memory_region_add_subregion(MemoryRegion *parent, hwaddr offset, MemoryRegion *sub)
{
    add_subregion_common(parent, offset, sub, 0);
}

void memory_region_add_subregion_overlap(MemoryRegion *parent, hwaddr offset,
                                         MemoryRegion *sub, int priority)
{
    add_subregion_common(parent, offset, sub, priority);
}

void memory_region_del_subregion(MemoryRegion *parent, MemoryRegion *sub)
{
    g_assert(sub->container == parent);
    MemoryRegion **link = &parent->subregions;
    while (*link != sub) {
        g_assert(*link);
        link = &(*link)->next_sibling;
    }
    *link = sub->next_sibling;
    sub->next_sibling = NULL;
    sub->container = NULL;
    memory_region_update();
}

void memory_region_set_enabled(MemoryRegion *mr, bool enabled)
{
    if (mr->enabled != enabled) {
        mr->enabled = enabled;
        memory_region_update();
    }
}

void memory_region_set_address(MemoryRegion *mr, hwaddr addr)
{
    if (mr->addr == addr) {
        return;
    }
    MemoryRegion *parent = mr->container;
    if (!parent) {
        mr->addr = addr;
        return;
    }
    /* Re-insert so that the moved region counts as the newest among its equals. */
    int priority = mr->priority;
    memory_region_transaction_begin();
    memory_region_del_subregion(parent, mr);
    add_subregion_common(parent, addr, mr, priority);
    memory_region_transaction_commit();
}

void memory_region_set_alias_offset(MemoryRegion *mr, hwaddr offset)
{
    g_assert(mr->alias);
    if (mr->alias_offset != offset) {
        mr->alias_offset = offset;
        memory_region_update();
    }
}

void memory_region_set_size(MemoryRegion *mr, uint64_t size)
{
    g_assert(!mr->ram_block || size <= mr->ram_block->size);
    if (mr->size != size) {
        mr->size = size;
        memory_region_update();
    }
}

void memory_region_set_readonly(MemoryRegion *mr, bool readonly)
{
    if (mr->readonly != readonly) {
        mr->readonly = readonly;
        memory_region_update();
    }
}

/* ---- queries ---- */

uint64_t memory_region_size(const MemoryRegion *mr)
{
    return mr->size;
}

const char *memory_region_name(const MemoryRegion *mr)
{
    return mr->name;
}

Object *memory_region_owner(const MemoryRegion *mr)
{
    return mr->owner;
}

bool memory_region_is_ram(const MemoryRegion *mr)
{
    return mr->ram;
}

bool memory_region_is_rom(const MemoryRegion *mr)
{
    return mr->rom;
}

bool memory_region_is_alias(const MemoryRegion *mr)
{
    return mr->alias != NULL;
}

bool memory_region_is_mapped(const MemoryRegion *mr)
{
    return mr->container != NULL;
}

bool memory_region_is_enabled(const MemoryRegion *mr)
{
    return mr->enabled;
}

hwaddr memory_region_get_address(const MemoryRegion *mr)
{
    return mr->addr;
}

MemoryRegion *memory_region_resolve_alias(MemoryRegion *mr, hwaddr *offset)
{
    while (mr->alias) {
        *offset += mr->alias_offset;
        mr = mr->alias;
    }
    return mr;
}

void *memory_region_get_ram_ptr(MemoryRegion *mr)
{
    hwaddr offset = 0;
    mr = memory_region_resolve_alias(mr, &offset);
    if (!mr->ram_block) {
        return NULL;
    }
    return mr->ram_block->host + offset;
}

int memory_region_get_fd(MemoryRegion *mr)
{
    hwaddr offset = 0;
    mr = memory_region_resolve_alias(mr, &offset);
    return mr->ram_block ? mr->ram_block->fd : -1;
}

/* ---- rendering ---- */

typedef struct RenderView {
    FlatRange *r;
    unsigned nr;
    unsigned cap;
} RenderView;

/* Index of the first range ending at or after @addr. */
static unsigned ranges_search(const FlatRange *r, unsigned nr, hwaddr addr)
{
    unsigned lo = 0, hi = nr;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (r[mid].last < addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static void view_insert(RenderView *v, unsigned i, const FlatRange *fr)
{
    if (v->nr == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 16;
        v->r = g_renew(FlatRange, v->r, v->cap);
    }
    memmove(&v->r[i + 1], &v->r[i], (v->nr - i) * sizeof(FlatRange));
    v->r[i] = *fr;
    v->nr++;
}

/* Claim for @mr the parts of [a, b] no higher-ranked region took already. */
static void render_fill(RenderView *v, MemoryRegion *mr, hwaddr a, hwaddr b,
                        hwaddr offset, bool readonly)
{
    unsigned i = ranges_search(v->r, v->nr, a);
    hwaddr cur = a;

    for (;;) {
        if (i < v->nr && v->r[i].start <= cur) {
            if (v->r[i].last >= b) {
                return;
            }
            cur = v->r[i].last + 1;
            i++;
            continue;
        }
        hwaddr gap_end = (i < v->nr && v->r[i].start <= b) ? v->r[i].start - 1 : b;
        FlatRange fr = {
            .start = cur,
            .last = gap_end,
            .mr = mr,
            .offset_in_region = offset + (cur - a),
            .readonly = readonly,
            .ram = mr->ram,
            .dirty_log_mask = mr->dirty_log_mask,
        };
        view_insert(v, i, &fr);
        i++;
        if (gap_end == b) {
            return;
        }
        cur = gap_end + 1;
    }
}

/*
 * Render the part [lo, hi] (in @mr's own offsets) of @mr, whose offset 0 lies
 * at address @delta (modulo 2^64: aliases can shift it below zero).
 */
static void render_region(RenderView *v, MemoryRegion *mr, hwaddr lo, hwaddr hi,
                          hwaddr delta, bool readonly, int depth)
{
    if (!mr->enabled || mr->size == 0) {
        return;
    }
    /* Deeper than this is an alias loop: a bug in emu's wiring, not the guest's. */
    g_assert(depth < 64);
    hi = MIN(hi, region_last(mr));
    if (lo > hi) {
        return;
    }
    readonly |= mr->readonly;

    if (mr->alias) {
        hwaddr off = mr->alias_offset;
        hwaddr tlo = lo + off, thi = hi + off;
        if (tlo < lo) {
            return;            /* the window starts beyond 2^64 */
        }
        if (thi < hi) {
            thi = UINT64_MAX;
        }
        render_region(v, mr->alias, tlo, thi, delta - off, readonly, depth + 1);
        return;
    }

    for (MemoryRegion *s = mr->subregions; s; s = s->next_sibling) {
        if (!s->enabled || s->size == 0) {
            continue;
        }
        hwaddr slast = s->addr + region_last(s);
        if (slast < s->addr) {
            slast = UINT64_MAX;
        }
        hwaddr slo = MAX(lo, s->addr), shi = MIN(hi, slast);
        if (slo > shi) {
            continue;
        }
        render_region(v, s, slo - s->addr, shi - s->addr, delta + s->addr, readonly,
                      depth + 1);
    }
    if (mr->terminates) {
        render_fill(v, mr, lo + delta, hi + delta, lo, readonly);
    }
}

static bool ranges_mergeable(const FlatRange *a, const FlatRange *b)
{
    return a->mr == b->mr && a->last + 1 == b->start &&
           a->offset_in_region + (a->last - a->start) + 1 == b->offset_in_region &&
           a->readonly == b->readonly && a->dirty_log_mask == b->dirty_log_mask;
}

static FlatView *generate_flatview(MemoryRegion *root)
{
    RenderView v = { 0 };
    if (root) {
        render_region(&v, root, 0, UINT64_MAX, 0, false, 0);
    }
    /* Merge pieces a region was cut into by regions that no longer cover them. */
    unsigned n = 0;
    for (unsigned i = 0; i < v.nr; i++) {
        if (n && ranges_mergeable(&v.r[n - 1], &v.r[i])) {
            v.r[n - 1].last = v.r[i].last;
        } else {
            v.r[n++] = v.r[i];
        }
    }
    FlatView *fv = g_new0(FlatView, 1);
    fv->ref = 1;
    fv->nr = n;
    fv->ranges = v.r;
    fv->root = root;
    for (unsigned i = 0; i < n; i++) {
        FlatRange *fr = &fv->ranges[i];
        hwaddr d = fr->last - fr->start;
        fr->size = d == UINT64_MAX ? UINT64_MAX : d + 1;
        /* Kept in the range: the region may be finalised before the view dies. */
        fr->owner = fr->mr->owner;
        object_ref(fr->owner);
    }
    return fv;
}

void flatview_ref(FlatView *fv)
{
    g_atomic_int_inc(&fv->ref);
}

void flatview_unref(FlatView *fv)
{
    if (fv && g_atomic_int_dec_and_test(&fv->ref)) {
        for (unsigned i = 0; i < fv->nr; i++) {
            object_unref(fv->ranges[i].owner);
        }
        g_free(fv->ranges);
        g_free(fv);
    }
}

const FlatRange *flatview_lookup(const FlatView *fv, hwaddr addr)
{
    unsigned i = ranges_search(fv->ranges, fv->nr, addr);
    if (i < fv->nr && fv->ranges[i].start <= addr) {
        return &fv->ranges[i];
    }
    return NULL;
}

FlatView *address_space_get_flatview(AddressSpace *as)
{
    address_space_lazy_init(as);
    /*
     * The address space's own reference is dropped only after a grace period,
     * so inside the section the count cannot reach zero under us.
     */
    rcu_read_lock();
    FlatView *fv = __atomic_load_n(&as->current_map, __ATOMIC_ACQUIRE);
    flatview_ref(fv);
    rcu_read_unlock();
    return fv;
}

FlatView *address_space_to_flatview(AddressSpace *as)
{
    address_space_lazy_init(as);
    return __atomic_load_n(&as->current_map, __ATOMIC_ACQUIRE);
}

/* ---- listeners ---- */

static MemoryRegionSection section_from_range(AddressSpace *as, FlatView *fv,
                                              const FlatRange *fr)
{
    return (MemoryRegionSection) {
        .mr = fr->mr,
        .fv = fv,
        .as = as,
        .offset_within_region = fr->offset_in_region,
        .size = fr->size,
        .offset_within_address_space = fr->start,
        .readonly = fr->readonly,
    };
}

static bool ranges_equal(const FlatRange *a, const FlatRange *b)
{
    return a->mr == b->mr && a->start == b->start && a->last == b->last &&
           a->offset_in_region == b->offset_in_region && a->readonly == b->readonly;
}

static bool views_identical(const FlatView *a, const FlatView *b)
{
    if (a->nr != b->nr) {
        return false;
    }
    for (unsigned i = 0; i < a->nr; i++) {
        if (!ranges_equal(&a->ranges[i], &b->ranges[i]) ||
            a->ranges[i].dirty_log_mask != b->ranges[i].dirty_log_mask) {
            return false;
        }
    }
    return true;
}

typedef enum { CB_ADD, CB_DEL, CB_NOP, CB_LOG_START, CB_LOG_STOP } ListenerCb;

static void call_listeners(AddressSpace *as, FlatView *fv, const FlatRange *fr,
                           ListenerCb cb, int old_mask, int new_mask)
{
    MemoryRegionSection s = section_from_range(as, fv, fr);
    /* Teardown runs in reverse priority order, setup forward, as nested layers expect. */
    bool reverse = cb == CB_DEL || cb == CB_LOG_STOP;
    for (GList *l = reverse ? g_list_last(as->listeners) : as->listeners; l;
         l = reverse ? l->prev : l->next) {
        MemoryListener *ml = l->data;
        switch (cb) {
        case CB_ADD:
            if (ml->region_add) {
                ml->region_add(ml, &s);
            }
            break;
        case CB_DEL:
            if (ml->region_del) {
                ml->region_del(ml, &s);
            }
            break;
        case CB_NOP:
            if (ml->region_nop) {
                ml->region_nop(ml, &s);
            }
            break;
        case CB_LOG_START:
            if (ml->log_start) {
                ml->log_start(ml, &s, old_mask, new_mask);
            }
            break;
        case CB_LOG_STOP:
            if (ml->log_stop) {
                ml->log_stop(ml, &s, old_mask, new_mask);
            }
            break;
        }
    }
}

/*
 * Walk both sorted views together. Pass one (adding = false) reports ranges of
 * @old missing from @new; pass two reports new ranges and log changes, so that
 * a listener always frees a slot before something else claims its addresses.
 */
static void update_topology_pass(AddressSpace *as, FlatView *old, FlatView *new,
                                 bool adding)
{
    unsigned i = 0, j = 0;
    while (i < old->nr || j < new->nr) {
        FlatRange *fo = i < old->nr ? &old->ranges[i] : NULL;
        FlatRange *fn = j < new->nr ? &new->ranges[j] : NULL;

        if (fo && (!fn || fo->start < fn->start ||
                   (fo->start == fn->start && !ranges_equal(fo, fn)))) {
            if (!adding) {
                call_listeners(as, old, fo, CB_DEL, 0, 0);
            }
            i++;
        } else if (fo && fn && ranges_equal(fo, fn)) {
            if (adding) {
                int om = fo->dirty_log_mask, nm = fn->dirty_log_mask;
                call_listeners(as, new, fn, CB_NOP, 0, 0);
                if (om & ~nm) {
                    call_listeners(as, new, fn, CB_LOG_STOP, om, nm);
                }
                if (nm & ~om) {
                    call_listeners(as, new, fn, CB_LOG_START, om, nm);
                }
            }
            i++;
            j++;
        } else {
            if (adding) {
                call_listeners(as, new, fn, CB_ADD, 0, 0);
                if (fn->dirty_log_mask) {
                    call_listeners(as, new, fn, CB_LOG_START, 0, fn->dirty_log_mask);
                }
            }
            j++;
        }
    }
}

static void listeners_begin(AddressSpace *as)
{
    for (GList *l = as->listeners; l; l = l->next) {
        MemoryListener *ml = l->data;
        if (ml->begin) {
            ml->begin(ml);
        }
    }
}

static void listeners_commit(AddressSpace *as)
{
    for (GList *l = as->listeners; l; l = l->next) {
        MemoryListener *ml = l->data;
        if (ml->commit) {
            ml->commit(ml);
        }
    }
}

static void address_space_update_topology(AddressSpace *as)
{
    FlatView *new = generate_flatview(as->root);
    FlatView *old = as->current_map;

    if (old && views_identical(old, new)) {
        flatview_unref(new);
        return;
    }
    __atomic_store_n(&as->current_map, new, __ATOMIC_RELEASE);

    if (old && as->listeners) {
        listeners_begin(as);
        update_topology_pass(as, old, new, false);
        update_topology_pass(as, old, new, true);
        listeners_commit(as);
    }
    if (old) {
        g_ptr_array_add(dead_views, old);
    }
}

typedef struct DeadViews {
    RcuHead rcu;
    GPtrArray *views;
} DeadViews;

/*
 * After the grace period, on the RCU thread: drop the views' references (and
 * so their owners') under the big lock, as device finalizers expect, in one
 * transaction since they may edit the tree.
 */
static void flatview_release_cb(RcuHead *head)
{
    DeadViews *dv = container_of(head, DeadViews, rcu);
    bool locked = bql_locked();
    if (!locked) {
        bql_lock();
    }
    memory_region_transaction_begin();
    for (unsigned i = 0; i < dv->views->len; i++) {
        flatview_unref(g_ptr_array_index(dv->views, i));
    }
    memory_region_transaction_commit();
    if (!locked) {
        bql_unlock();
    }
    g_ptr_array_free(dv->views, true);
    g_free(dv);
}

static void flatview_release_deferred(void)
{
    DeadViews *dv = g_new0(DeadViews, 1);
    dv->views = dead_views;
    dead_views = g_ptr_array_new();
    call_rcu1(&dv->rcu, flatview_release_cb);
}

/* ---- ioeventfds ---- */

static bool ioeventfd_equal(const MemoryRegionIoeventfd *a, const MemoryRegionIoeventfd *b)
{
    return a->addr == b->addr && a->size == b->size && a->match_data == b->match_data &&
           (!a->match_data || a->data == b->data) && a->e == b->e;
}

void memory_region_add_eventfd(MemoryRegion *mr, hwaddr addr, unsigned size,
                               bool match_data, uint64_t data, EventNotifier *e)
{
    MemoryRegionIoeventfd fd = {
        .addr = addr, .size = size, .match_data = match_data,
        .data = match_data ? data : 0, .e = e,
    };
    memory_region_transaction_begin();
    mr->ioeventfds = g_renew(MemoryRegionIoeventfd, mr->ioeventfds, mr->ioeventfd_nb + 1);
    mr->ioeventfds[mr->ioeventfd_nb++] = fd;
    ioeventfd_update_pending = true;
    memory_region_transaction_commit();
}

void memory_region_del_eventfd(MemoryRegion *mr, hwaddr addr, unsigned size,
                               bool match_data, uint64_t data, EventNotifier *e)
{
    MemoryRegionIoeventfd fd = {
        .addr = addr, .size = size, .match_data = match_data,
        .data = match_data ? data : 0, .e = e,
    };
    for (unsigned i = 0; i < mr->ioeventfd_nb; i++) {
        if (ioeventfd_equal(&mr->ioeventfds[i], &fd)) {
            memory_region_transaction_begin();
            memmove(&mr->ioeventfds[i], &mr->ioeventfds[i + 1],
                    (mr->ioeventfd_nb - i - 1) * sizeof(fd));
            mr->ioeventfd_nb--;
            ioeventfd_update_pending = true;
            memory_region_transaction_commit();
            return;
        }
    }
    g_assert_not_reached();    /* deleting what was never added is emu's bug */
}

/* A write the region's eventfds take: signal, and the write callback is skipped. */
static bool dispatch_write_eventfds(MemoryRegion *mr, hwaddr addr, uint64_t val,
                                    unsigned size)
{
    for (unsigned i = 0; i < mr->ioeventfd_nb; i++) {
        MemoryRegionIoeventfd *fd = &mr->ioeventfds[i];
        if (fd->addr == addr && (!fd->size || fd->size == size) &&
            (!fd->match_data || fd->data == val)) {
            event_notifier_set(fd->e);
            return true;
        }
    }
    return false;
}

static void eventfd_listeners(AddressSpace *as, const MemoryRegionIoeventfd *fd, bool add)
{
    MemoryRegionSection s = {
        .as = as,
        .fv = as->current_map,
        .offset_within_address_space = fd->addr,
        .size = fd->size,
    };
    for (GList *l = add ? as->listeners : g_list_last(as->listeners); l;
         l = add ? l->next : l->prev) {
        MemoryListener *ml = l->data;
        if (add && ml->eventfd_add) {
            ml->eventfd_add(ml, &s, fd->match_data, fd->data, fd->e);
        } else if (!add && ml->eventfd_del) {
            ml->eventfd_del(ml, &s, fd->match_data, fd->data, fd->e);
        }
    }
}

/* The eventfds the current view shows, at their addresses in the address space. */
static GArray *view_ioeventfds(FlatView *fv)
{
    GArray *a = g_array_new(false, false, sizeof(MemoryRegionIoeventfd));
    for (unsigned i = 0; i < fv->nr; i++) {
        const FlatRange *fr = &fv->ranges[i];
        hwaddr lo = fr->offset_in_region, hi = lo + (fr->last - fr->start);
        for (unsigned j = 0; j < fr->mr->ioeventfd_nb; j++) {
            MemoryRegionIoeventfd fd = fr->mr->ioeventfds[j];
            if (fd.addr >= lo && fd.addr <= hi) {
                fd.addr = fr->start + (fd.addr - lo);
                g_array_append_val(a, fd);
            }
        }
    }
    return a;
}

static bool ioeventfd_in(const MemoryRegionIoeventfd *fd, const MemoryRegionIoeventfd *set,
                         unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (ioeventfd_equal(fd, &set[i])) {
            return true;
        }
    }
    return false;
}

/* Tell listeners about eventfds that left the view, then those that entered it. */
static void address_space_update_ioeventfds(AddressSpace *as)
{
    GArray *now = view_ioeventfds(as->current_map);
    MemoryRegionIoeventfd *nfd = (MemoryRegionIoeventfd *)now->data;
    for (unsigned i = 0; i < as->ioeventfd_nb; i++) {
        if (!ioeventfd_in(&as->ioeventfds[i], nfd, now->len)) {
            eventfd_listeners(as, &as->ioeventfds[i], false);
        }
    }
    for (unsigned i = 0; i < now->len; i++) {
        if (!ioeventfd_in(&nfd[i], as->ioeventfds, as->ioeventfd_nb)) {
            eventfd_listeners(as, &nfd[i], true);
        }
    }
    g_free(as->ioeventfds);
    as->ioeventfd_nb = now->len;
    as->ioeventfds = (MemoryRegionIoeventfd *)g_array_free(now, false);
}

void memory_region_transaction_begin(void)
{
    transaction_depth++;
}

void memory_region_transaction_commit(void)
{
    g_assert(transaction_depth > 0);
    if (--transaction_depth > 0 || in_update) {
        /* An edit from inside a listener is picked up by the loop below. */
        return;
    }
    if (!dead_views) {
        dead_views = g_ptr_array_new();
    }
    in_update = true;
    for (;;) {
        while (update_pending) {
            update_pending = false;
            ioeventfd_update_pending = true;
            for (GList *l = address_spaces; l; l = l->next) {
                address_space_update_topology(l->data);
            }
        }
        if (ioeventfd_update_pending) {
            ioeventfd_update_pending = false;
            for (GList *l = address_spaces; l; l = l->next) {
                address_space_update_ioeventfds(l->data);
            }
        }
        if (!dead_views->len) {
            break;
        }
        if (!rcu_try_synchronize()) {
            /* A reader may hold them: the RCU thread drops them later. */
            flatview_release_deferred();
            continue;
        }
        /*
         * Dropping a view can drop the last reference on a device, whose
         * finalize may edit the tree or destroy an address space: only now that
         * no list is being walked. Its edits bring us round the loop again.
         */
        FlatView *fv = g_ptr_array_steal_index_fast(dead_views, dead_views->len - 1);
        flatview_unref(fv);
    }
    in_update = false;
}

void memory_listener_register(MemoryListener *listener, AddressSpace *as)
{
    g_assert(!listener->as);
    address_space_lazy_init(as);
    listener->as = as;
    GList *l = as->listeners;
    while (l && ((MemoryListener *)l->data)->priority <= listener->priority) {
        l = l->next;
    }
    as->listeners = g_list_insert_before(as->listeners, l, listener);

    FlatView *fv = as->current_map;
    if (listener->begin) {
        listener->begin(listener);
    }
    for (unsigned i = 0; i < fv->nr; i++) {
        FlatRange *fr = &fv->ranges[i];
        MemoryRegionSection s = section_from_range(as, fv, fr);
        if (listener->region_add) {
            listener->region_add(listener, &s);
        }
        if (fr->dirty_log_mask && listener->log_start) {
            listener->log_start(listener, &s, 0, fr->dirty_log_mask);
        }
    }
    if (listener->commit) {
        listener->commit(listener);
    }
    for (unsigned i = 0; listener->eventfd_add && i < as->ioeventfd_nb; i++) {
        MemoryRegionSection s = {
            .as = as, .fv = fv,
            .offset_within_address_space = as->ioeventfds[i].addr,
            .size = as->ioeventfds[i].size,
        };
        listener->eventfd_add(listener, &s, as->ioeventfds[i].match_data,
                              as->ioeventfds[i].data, as->ioeventfds[i].e);
    }
}

void memory_listener_unregister(MemoryListener *listener)
{
    AddressSpace *as = listener->as;
    if (!as) {
        return;
    }
    FlatView *fv = as->current_map;
    for (unsigned i = 0; listener->eventfd_del && i < as->ioeventfd_nb; i++) {
        MemoryRegionSection s = {
            .as = as, .fv = fv,
            .offset_within_address_space = as->ioeventfds[i].addr,
            .size = as->ioeventfds[i].size,
        };
        listener->eventfd_del(listener, &s, as->ioeventfds[i].match_data,
                              as->ioeventfds[i].data, as->ioeventfds[i].e);
    }
    if (listener->begin) {
        listener->begin(listener);
    }
    for (unsigned i = 0; i < fv->nr; i++) {
        MemoryRegionSection s = section_from_range(as, fv, &fv->ranges[i]);
        if (listener->region_del) {
            listener->region_del(listener, &s);
        }
    }
    if (listener->commit) {
        listener->commit(listener);
    }
    as->listeners = g_list_remove(as->listeners, listener);
    listener->as = NULL;
}

/* ---- address spaces ---- */

void address_space_init(AddressSpace *as, MemoryRegion *root, const char *name)
{
    memset(as, 0, sizeof(*as));
    as->name = g_strdup(name ? name : "anonymous");
    as->root = root;
    as->current_map = generate_flatview(root);
    address_spaces = g_list_append(address_spaces, as);
}

void address_space_destroy(AddressSpace *as)
{
    while (as->listeners) {
        memory_listener_unregister(as->listeners->data);
    }
    address_spaces = g_list_remove(address_spaces, as);
    /* Readers may still be in the old view: release it like a replaced one. */
    FlatView *old = as->current_map;
    __atomic_store_n(&as->current_map, NULL, __ATOMIC_RELEASE);
    g_free(as->name);
    g_free(as->ioeventfds);
    memset(as, 0, sizeof(*as));
    memory_region_transaction_begin();
    if (!dead_views) {
        dead_views = g_ptr_array_new();
    }
    g_ptr_array_add(dead_views, old);
    memory_region_transaction_commit();
}

MemoryRegionSection memory_region_find(MemoryRegion *mr, hwaddr addr, uint64_t size)
{
    MemoryRegionSection s = { 0 };
    MemoryRegion *root = mr;
    while (root->container) {
        addr += root->addr;
        root = root->container;
    }
    AddressSpace *as = NULL;
    for (GList *l = address_spaces; l; l = l->next) {
        if (((AddressSpace *)l->data)->root == root) {
            as = l->data;
            break;
        }
    }
    if (!as) {
        return s;
    }
    FlatView *fv = as->current_map;
    const FlatRange *fr = flatview_lookup(fv, addr);
    if (!fr) {
        return s;
    }
    s = section_from_range(as, fv, fr);
    s.offset_within_region += addr - fr->start;
    s.offset_within_address_space = addr;
    hwaddr avail = fr->last - addr;
    s.size = (size == 0 || size - 1 > avail) ? (avail == UINT64_MAX ? UINT64_MAX : avail + 1)
                                             : size;
    return s;
}

/* ---- dirty logging switches ---- */

void memory_region_set_log(MemoryRegion *mr, bool log, unsigned client)
{
    hwaddr offset = 0;
    g_assert(client < DIRTY_MEMORY_NUM);
    mr = memory_region_resolve_alias(mr, &offset);
    uint8_t mask = log ? mr->dirty_log_mask | (1u << client)
                       : mr->dirty_log_mask & ~(1u << client);
    if (mask != mr->dirty_log_mask) {
        mr->dirty_log_mask = mask;
        memory_region_update();
    }
}

void memory_region_sync_dirty_bitmap(MemoryRegion *mr)
{
    hwaddr offset = 0;
    mr = memory_region_resolve_alias(mr, &offset);
    for (GList *a = address_spaces; a; a = a->next) {
        AddressSpace *as = a->data;
        FlatView *fv = as->current_map;
        for (unsigned i = 0; i < fv->nr; i++) {
            if (fv->ranges[i].mr != mr) {
                continue;
            }
            MemoryRegionSection s = section_from_range(as, fv, &fv->ranges[i]);
            for (GList *l = as->listeners; l; l = l->next) {
                MemoryListener *ml = l->data;
                if (ml->log_sync) {
                    ml->log_sync(ml, &s);
                }
            }
        }
    }
}

static void global_log_notify(bool start)
{
    for (GList *a = address_spaces; a; a = a->next) {
        for (GList *l = ((AddressSpace *)a->data)->listeners; l; l = l->next) {
            MemoryListener *ml = l->data;
            if (start && ml->log_global_start) {
                ml->log_global_start(ml);
            } else if (!start && ml->log_global_stop) {
                ml->log_global_stop(ml);
            }
        }
    }
}

void memory_global_dirty_log_start(unsigned clients)
{
    unsigned old = global_dirty_log_mask;
    __atomic_store_n(&global_dirty_log_mask, old | (clients & DIRTY_CLIENTS_ALL),
                     __ATOMIC_RELAXED);
    if (!old && global_dirty_log_mask) {
        global_log_notify(true);
    }
}

void memory_global_dirty_log_stop(unsigned clients)
{
    unsigned old = global_dirty_log_mask;
    __atomic_store_n(&global_dirty_log_mask, old & ~clients, __ATOMIC_RELAXED);
    if (old && !global_dirty_log_mask) {
        global_log_notify(false);
    }
}

unsigned memory_global_dirty_log_mask(void)
{
    return __atomic_load_n(&global_dirty_log_mask, __ATOMIC_RELAXED);
}

/* ---- I/O dispatch ---- */

static unsigned valid_min(const MemoryRegionOps *ops)
{
    return ops->valid.min_access_size ? ops->valid.min_access_size : 1;
}

static unsigned valid_max(const MemoryRegionOps *ops)
{
    return ops->valid.max_access_size ? ops->valid.max_access_size : 4;
}

static bool access_valid(MemoryRegion *mr, hwaddr addr, unsigned size, bool is_write)
{
    const MemoryRegionOps *ops = mr->ops;
    if (!ops || (is_write ? !ops->write : !ops->read)) {
        return false;
    }
    if (size < valid_min(ops) || size > valid_max(ops)) {
        return false;
    }
    if (!ops->valid.unaligned && addr % size) {
        return false;
    }
    if (ops->valid.accepts && !ops->valid.accepts(mr->opaque, addr, size, is_write)) {
        return false;
    }
    return true;
}

static bool device_is_big_endian(const MemoryRegionOps *ops)
{
    /* x86 is little-endian, so DEVICE_NATIVE_ENDIAN is too. */
    return ops->endianness == DEVICE_BIG_ENDIAN;
}

/* One callback of @w bytes at @base covering bytes [pos, pos + n) of the access. */
static void access_piece(MemoryRegion *mr, hwaddr base, unsigned w, unsigned in_word,
                         uint8_t *bytes, unsigned n, bool is_write)
{
    const MemoryRegionOps *ops = mr->ops;
    bool be = device_is_big_endian(ops);
    uint8_t word[8] = { 0 };
    uint64_t v = 0;

    if (is_write) {
        memcpy(word + in_word, bytes, n);
        for (unsigned k = 0; k < w; k++) {
            v |= (uint64_t)word[k] << (8 * (be ? w - 1 - k : k));
        }
        ops->write(mr->opaque, base, v, w);
    } else {
        v = ops->read(mr->opaque, base, w);
        for (unsigned k = 0; k < w; k++) {
            word[k] = v >> (8 * (be ? w - 1 - k : k));
        }
        memcpy(bytes, word + in_word, n);
    }
}

static void access_with_adjusted_size(MemoryRegion *mr, hwaddr addr, unsigned size,
                                      uint8_t *bytes, bool is_write)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned imin = ops->impl.min_access_size ? ops->impl.min_access_size : valid_min(ops);
    unsigned imax = ops->impl.max_access_size ? ops->impl.max_access_size : valid_max(ops);
    imax = MAX(imax, imin);

    if (ops->impl.unaligned) {
        /* The device copes with any address: fixed-width pieces from @addr on. */
        unsigned w = MIN(MAX(size, imin), imax);
        for (unsigned i = 0; i < size; i += w) {
            access_piece(mr, addr + i, w, 0, bytes + i, MIN(w, size - i), is_write);
        }
        return;
    }
    hwaddr cur = addr, end = addr + size;
    while (cur != end) {
        unsigned rem = end - cur;
        unsigned w = MIN(rem, imax);
        while (w & (w - 1)) {
            w &= w - 1;                    /* round down to a power of two */
        }
        while (cur & (w - 1)) {
            w >>= 1;                       /* ... and to @cur's alignment */
        }
        hwaddr base = cur;
        if (w < imin) {
            w = imin;
            base = cur & ~(hwaddr)(w - 1);
        }
        unsigned in_word = cur - base;
        unsigned n = MIN(rem, w - in_word);
        access_piece(mr, base, w, in_word, bytes + (cur - addr), n, is_write);
        cur += n;
    }
}

static void log_refused(MemoryRegion *mr, hwaddr addr, unsigned size, bool is_write)
{
    emu_log_mask(LOG_GUEST_ERROR,
                 "invalid %s of %u bytes at offset 0x%" HWADDR_PRIx " of region '%s'\n",
                 is_write ? "write" : "read", size, addr, mr->name);
}

static uint64_t all_ones(unsigned size)
{
    return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (size * 8)) - 1;
}

MemTxResult memory_region_dispatch_read(MemoryRegion *mr, hwaddr addr, uint64_t *pval,
                                        unsigned size)
{
    if (size == 0 || size > 8 || !access_valid(mr, addr, size, false)) {
        log_refused(mr, addr, size, false);
        *pval = all_ones(size);
        return MEMTX_DECODE_ERROR;
    }
    uint8_t bytes[8];
    access_with_adjusted_size(mr, addr, size, bytes, false);
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)bytes[i] << (8 * i);
    }
    *pval = v;
    return MEMTX_OK;
}

MemTxResult memory_region_dispatch_write(MemoryRegion *mr, hwaddr addr, uint64_t val,
                                         unsigned size)
{
    if (size == 0 || size > 8 || !access_valid(mr, addr, size, true)) {
        log_refused(mr, addr, size, true);
        return MEMTX_DECODE_ERROR;
    }
    if (mr->ioeventfd_nb && dispatch_write_eventfds(mr, addr, val, size)) {
        return MEMTX_OK;
    }
    uint8_t bytes[8];
    for (unsigned i = 0; i < size; i++) {
        bytes[i] = val >> (8 * i);
    }
    access_with_adjusted_size(mr, addr, size, bytes, true);
    return MEMTX_OK;
}

/* ---- info mtree ---- */

static const char *region_type(const MemoryRegion *mr)
{
    if (mr->alias) {
        return region_type(mr->alias);
    }
    if (mr->rom) {
        return "rom";
    }
    if (mr->ram) {
        return mr->readonly ? "ram, readonly" : "ram";
    }
    return mr->ops ? "i/o" : "container";
}

static hwaddr add_sat(hwaddr a, hwaddr b)
{
    return a + b < a ? UINT64_MAX : a + b;
}

typedef struct SortedSub {
    MemoryRegion *mr;
    unsigned index;
} SortedSub;

static int cmp_subregions(const void *pa, const void *pb)
{
    const SortedSub *a = pa, *b = pb;
    if (a->mr->addr != b->mr->addr) {
        return a->mr->addr < b->mr->addr ? -1 : 1;
    }
    if (a->mr->priority != b->mr->priority) {
        return a->mr->priority > b->mr->priority ? -1 : 1;
    }
    return a->index < b->index ? -1 : a->index > b->index;
}

static void mtree_print_mr(GString *out, MemoryRegion *mr, int level, hwaddr base,
                           GPtrArray *alias_targets)
{
    hwaddr start = base + mr->addr;
    hwaddr end = add_sat(start, region_last(mr));
    const char *disabled = mr->enabled ? "" : " [disabled]";

    g_string_append_printf(out, "%*s%016" PRIx64 "-%016" PRIx64 " (prio %d, %s): ",
                           level * 2, "", start, end, mr->priority, region_type(mr));
    if (mr->alias) {
        g_string_append_printf(out, "alias %s @%s %016" PRIx64 "-%016" PRIx64 "%s\n",
                               mr->name, mr->alias->name, mr->alias_offset,
                               add_sat(mr->alias_offset, region_last(mr)), disabled);
        if (!g_ptr_array_find(alias_targets, mr->alias, NULL)) {
            g_ptr_array_add(alias_targets, mr->alias);
        }
    } else {
        g_string_append_printf(out, "%s%s\n", mr->name, disabled);
    }

    unsigned n = 0;
    for (MemoryRegion *s = mr->subregions; s; s = s->next_sibling) {
        n++;
    }
    SortedSub *subs = g_new(SortedSub, n ? n : 1);
    n = 0;
    for (MemoryRegion *s = mr->subregions; s; s = s->next_sibling) {
        subs[n].mr = s;
        subs[n].index = n;
        n++;
    }
    qsort(subs, n, sizeof(*subs), cmp_subregions);
    for (unsigned i = 0; i < n; i++) {
        mtree_print_mr(out, subs[i].mr, level + 1, start, alias_targets);
    }
    g_free(subs);
}

static void mtree_print_flatview(GString *out, AddressSpace *as, int nr)
{
    FlatView *fv = address_space_get_flatview(as);
    g_string_append_printf(out, "FlatView #%d\n AS \"%s\", root: %s\n", nr, as->name,
                           as->root ? as->root->name : "(none)");
    if (!fv->nr) {
        g_string_append(out, "  No rendered FlatView\n");
    }
    for (unsigned i = 0; i < fv->nr; i++) {
        FlatRange *fr = &fv->ranges[i];
        const char *type = fr->ram ? (fr->readonly ? "rom" : "ram") : "i/o";
        g_string_append_printf(out, "  %016" PRIx64 "-%016" PRIx64 " (prio %d, %s): %s",
                               fr->start, fr->last, fr->mr->priority, type, fr->mr->name);
        if (fr->offset_in_region) {
            g_string_append_printf(out, " @%016" PRIx64, fr->offset_in_region);
        }
        g_string_append_c(out, '\n');
    }
    g_string_append_c(out, '\n');
    flatview_unref(fv);
}

void mtree_info(GString *out, bool flatview)
{
    int nr = 0;
    if (flatview) {
        for (GList *l = address_spaces; l; l = l->next) {
            mtree_print_flatview(out, l->data, nr++);
        }
        return;
    }
    GPtrArray *alias_targets = g_ptr_array_new();
    for (GList *l = address_spaces; l; l = l->next) {
        AddressSpace *as = l->data;
        g_string_append_printf(out, "address-space: %s\n", as->name);
        if (as->root) {
            mtree_print_mr(out, as->root, 1, 0, alias_targets);
        }
        g_string_append_c(out, '\n');
    }
    /* Regions seen only through aliases (pc.ram) get their own trees, once each. */
    for (unsigned i = 0; i < alias_targets->len; i++) {
        MemoryRegion *mr = g_ptr_array_index(alias_targets, i);
        g_string_append_printf(out, "memory-region: %s\n", mr->name);
        mtree_print_mr(out, mr, 1, -mr->addr, alias_targets);
        g_string_append_c(out, '\n');
    }
    g_ptr_array_free(alias_targets, true);
}
