/*
 * RCU (util/rcu.c) and the flat views read under it (system/memory.c).
 *
 * The oracle is the definition of a grace period: an object a reader loaded
 * inside a section must not be reclaimed before that section ends, and must be
 * reclaimed (here: its destructor counted, its owner's reference dropped) once
 * every reader has left. Reader threads park inside their sections on a
 * condition the test controls, so the "before" state is observed for certain.
 */
#include "util/rcu.h"
#include "system/memory.h"
#include "system/main-loop.h"
#include "qom/object.h"

/* ---- a tiny controllable reader thread ---- */

typedef struct Gate {
    GMutex lock;
    GCond cond;
    int state;                 /* 0 start, 1 inside, 2 may leave, 3 left */
} Gate;

static void gate_set(Gate *g, int state)
{
    g_mutex_lock(&g->lock);
    g->state = state;
    g_cond_broadcast(&g->cond);
    g_mutex_unlock(&g->lock);
}

static void gate_wait(Gate *g, int state)
{
    g_mutex_lock(&g->lock);
    while (g->state < state) {
        g_cond_wait(&g->cond, &g->lock);
    }
    g_mutex_unlock(&g->lock);
}

typedef struct Obj {
    RcuHead rcu;
    uint32_t magic;
    int value;
} Obj;

#define OBJ_MAGIC 0x600dc0de
static Obj *global_obj;
static int objs_freed;

static void obj_free_cb(RcuHead *head)
{
    Obj *o = container_of(head, Obj, rcu);
    o->magic = 0xdeaddead;
    __atomic_add_fetch(&objs_freed, 1, __ATOMIC_SEQ_CST);
    g_free(o);
}

static Obj *obj_new(int value)
{
    Obj *o = g_new0(Obj, 1);
    o->magic = OBJ_MAGIC;
    o->value = value;
    return o;
}

/* Publish a new version and retire the old one through call_rcu1. */
static void obj_replace(int value)
{
    Obj *old = __atomic_exchange_n(&global_obj, obj_new(value), __ATOMIC_ACQ_REL);
    if (old) {
        call_rcu1(&old->rcu, obj_free_cb);
    }
}

typedef struct Reader {
    Gate gate;
    Obj *seen;
    int value_at_exit;
    uint32_t magic_at_exit;
} Reader;

static gpointer reader_thread(gpointer opaque)
{
    Reader *r = opaque;
    rcu_read_lock();
    r->seen = __atomic_load_n(&global_obj, __ATOMIC_ACQUIRE);
    gate_set(&r->gate, 1);
    gate_wait(&r->gate, 2);
    /* Still ours: the writer replaced it many times, but we never left. */
    r->value_at_exit = r->seen->value;
    r->magic_at_exit = r->seen->magic;
    rcu_read_unlock();
    gate_set(&r->gate, 3);
    return NULL;
}

static void test_nesting(void)
{
    g_assert_false(rcu_read_locked());
    rcu_read_lock();
    rcu_read_lock();
    g_assert_cmpuint(rcu_read_depth(), ==, 2);
    g_assert_false(rcu_try_synchronize());      /* never inside our own section */
    rcu_read_unlock();
    g_assert_true(rcu_read_locked());
    rcu_read_unlock();
    g_assert_false(rcu_read_locked());
    uint64_t before = rcu_grace_periods();
    g_assert_true(rcu_try_synchronize());
    synchronize_rcu();
    g_assert_cmpuint(rcu_grace_periods(), >=, before + 2);
}

/* Writer changes the pointer 1000 times while one reader holds the first. */
static void test_reader_holds(void)
{
    Reader r = { 0 };
    obj_replace(0);
    drain_call_rcu();
    objs_freed = 0;
    GThread *t = g_thread_new("reader", reader_thread, &r);
    gate_wait(&r.gate, 1);
    g_assert_true(r.seen == global_obj);

    for (int i = 1; i <= 1000; i++) {
        obj_replace(i);
    }
    g_assert_false(rcu_try_synchronize());
    /* Give the RCU thread every chance to (wrongly) free the reader's object. */
    g_usleep(50 * 1000);
    g_assert_cmpint(__atomic_load_n(&objs_freed, __ATOMIC_SEQ_CST), ==, 0);
    g_assert_cmphex(r.seen->magic, ==, OBJ_MAGIC);

    gate_set(&r.gate, 2);
    gate_wait(&r.gate, 3);
    g_assert_cmpint(r.value_at_exit, ==, 0);
    g_assert_cmphex(r.magic_at_exit, ==, OBJ_MAGIC);
    g_thread_join(t);
    drain_call_rcu();
    g_assert_cmpint(objs_freed, ==, 1000);
    g_assert_true(rcu_try_synchronize());
}

typedef struct SyncWaiter {
    int done;
} SyncWaiter;

static gpointer sync_thread(gpointer opaque)
{
    SyncWaiter *w = opaque;
    synchronize_rcu();
    __atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

/* synchronize_rcu waits for a section open before it, not for later ones. */
static void test_synchronize_waits(void)
{
    Reader r = { 0 };
    obj_replace(7);
    GThread *t = g_thread_new("reader", reader_thread, &r);
    gate_wait(&r.gate, 1);
    SyncWaiter w = { 0 };
    GThread *s = g_thread_new("sync", sync_thread, &w);
    g_usleep(30 * 1000);
    g_assert_cmpint(__atomic_load_n(&w.done, __ATOMIC_SEQ_CST), ==, 0);
    gate_set(&r.gate, 2);
    g_thread_join(s);
    g_assert_cmpint(w.done, ==, 1);
    g_thread_join(t);
}

typedef struct LongReader {
    int stop;
    uint64_t rounds;
    uint64_t bad;
} LongReader;

/* A vCPU-like reader: one long section, quiescent points between "TBs". */
static gpointer long_reader_thread(gpointer opaque)
{
    LongReader *lr = opaque;
    rcu_read_lock();
    while (!__atomic_load_n(&lr->stop, __ATOMIC_ACQUIRE)) {
        rcu_quiescent_state();
        rcu_read_lock();               /* nested: what a page walk does */
        Obj *o = __atomic_load_n(&global_obj, __ATOMIC_ACQUIRE);
        if (o->magic != OBJ_MAGIC) {
            lr->bad++;
        }
        rcu_read_unlock();
        Obj *o2 = __atomic_load_n(&global_obj, __ATOMIC_ACQUIRE);
        if (o2->magic != OBJ_MAGIC) {
            lr->bad++;
        }
        __atomic_add_fetch(&lr->rounds, 1, __ATOMIC_RELAXED);
    }
    rcu_read_unlock();
    return NULL;
}

static void test_quiescent_stress(void)
{
    LongReader lr[2] = { 0 };
    GThread *t[2];
    obj_replace(0);
    drain_call_rcu();              /* versions retired by earlier tests */
    objs_freed = 0;
    for (int i = 0; i < 2; i++) {
        t[i] = g_thread_new("long-reader", long_reader_thread, &lr[i]);
    }
    /* Both readers running before the writer starts (a loaded host is slow). */
    for (int i = 0; i < 2; i++) {
        while (!__atomic_load_n(&lr[i].rounds, __ATOMIC_RELAXED)) {
            g_usleep(100);
        }
    }
    for (int i = 1; i <= 20000; i++) {
        obj_replace(i);
        if (i % 5000 == 0) {
            /* Grace periods end although the readers never leave their section. */
            synchronize_rcu();
        }
    }
    drain_call_rcu();
    g_assert_cmpint(__atomic_load_n(&objs_freed, __ATOMIC_SEQ_CST), ==, 20000);
    for (int i = 0; i < 2; i++) {
        __atomic_store_n(&lr[i].stop, 1, __ATOMIC_RELEASE);
        g_thread_join(t[i]);
        g_assert_cmpuint(lr[i].bad, ==, 0);
        g_assert_cmpuint(lr[i].rounds, >, 0);
    }
}

/* A thread that exits inside a section (a longjmp skipped its unlock) is forgotten. */
static gpointer leaky_reader_thread(gpointer opaque)
{
    (void)opaque;
    rcu_read_lock();
    return NULL;
}

static void test_thread_exit(void)
{
    GThread *t = g_thread_new("leaky", leaky_reader_thread, NULL);
    g_thread_join(t);
    g_assert_true(rcu_try_synchronize());
}

/* ---- flat views ---- */

typedef struct ViewReader {
    Gate gate;
    AddressSpace *as;
    FlatView *fv;
    unsigned nr_at_exit;
    Object *owner_at_exit;
    int owner_ref_at_exit;
} ViewReader;

static gpointer view_reader_thread(gpointer opaque)
{
    ViewReader *vr = opaque;
    rcu_read_lock();
    vr->fv = address_space_to_flatview(vr->as);
    gate_set(&vr->gate, 1);
    gate_wait(&vr->gate, 2);
    vr->nr_at_exit = vr->fv->nr;
    vr->owner_at_exit = vr->fv->nr ? vr->fv->ranges[0].owner : NULL;
    vr->owner_ref_at_exit = vr->owner_at_exit ? vr->owner_at_exit->ref : 0;
    rcu_read_unlock();
    gate_set(&vr->gate, 3);
    return NULL;
}

/*
 * The map changes many times, then the address space is destroyed, while a
 * reader holds the first view: the owner it references keeps a reference until
 * the reader's section ends, and loses it after the grace period.
 */
static void test_flatview_lifetime(void)
{
    static MemoryRegion root, ram;
    static AddressSpace as;
    Object *owner = object_new(TYPE_CONTAINER);

    bql_lock();
    memory_region_init(&root, NULL, "root", 0x100000);
    address_space_init(&as, &root, "rcu");
    g_assert_true(memory_region_init_ram(&ram, owner, "ram", 0x1000, &error_abort));
    memory_region_add_subregion(&root, 0, &ram);
    g_assert_cmpint(owner->ref, ==, 2);     /* ours + the view's */
    bql_unlock();

    ViewReader vr = { .as = &as };
    GThread *t = g_thread_new("view-reader", view_reader_thread, &vr);
    gate_wait(&vr.gate, 1);

    bql_lock();
    for (int i = 0; i < 200; i++) {
        memory_region_set_address(&ram, (i % 16) * 0x1000);
    }
    memory_region_del_subregion(&root, &ram);
    address_space_destroy(&as);
    bql_unlock();
    g_usleep(20 * 1000);
    /* Every retired view waits for the reader; the first one holds the owner. */
    g_assert_cmpint(__atomic_load_n(&owner->ref, __ATOMIC_SEQ_CST), >=, 2);

    gate_set(&vr.gate, 2);
    gate_wait(&vr.gate, 3);
    g_thread_join(t);
    g_assert_cmpuint(vr.nr_at_exit, ==, 1);
    g_assert_true(vr.owner_at_exit == owner);
    g_assert_cmpint(vr.owner_ref_at_exit, >=, 2);

    drain_call_rcu();
    g_assert_cmpint(owner->ref, ==, 1);

    bql_lock();
    memory_region_finalize(&ram);
    memory_region_finalize(&root);
    bql_unlock();
    object_unref(owner);
}

typedef struct AccessReader {
    int stop;
    uint64_t reads;
    uint64_t bad;
} AccessReader;

static gpointer access_thread(gpointer opaque)
{
    AccessReader *ar = opaque;
    while (!__atomic_load_n(&ar->stop, __ATOMIC_ACQUIRE)) {
        /* RAM is at 0 or at 0x2000: whichever view we get, a read is coherent. */
        uint32_t a = address_space_ldl_le(&address_space_memory, 0x0, NULL);
        uint32_t b = address_space_ldl_le(&address_space_memory, 0x2000, NULL);
        if ((a != 0x12345678 && a != 0xffffffff) || (b != 0x12345678 && b != 0xffffffff)) {
            ar->bad++;
        }
        __atomic_add_fetch(&ar->reads, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

/* Lock-free accessors racing with remaps of the system bus. */
static void test_access_vs_remap(void)
{
    static MemoryRegion ram;
    AccessReader ar = { 0 };
    Object *owner = object_new(TYPE_CONTAINER);

    bql_lock();
    g_assert_true(memory_region_init_ram(&ram, owner, "rcu-ram", 0x1000, &error_abort));
    memcpy(memory_region_get_ram_ptr(&ram), "\x78\x56\x34\x12", 4);
    memory_region_add_subregion(get_system_memory(), 0, &ram);
    bql_unlock();

    GThread *t = g_thread_new("access", access_thread, &ar);
    while (!__atomic_load_n(&ar.reads, __ATOMIC_RELAXED)) {
        g_usleep(100);
    }
    for (int i = 0; i < 2000 || __atomic_load_n(&ar.reads, __ATOMIC_RELAXED) < 2000; i++) {
        bql_lock();
        memory_region_set_address(&ram, (i & 1) ? 0x2000 : 0);
        bql_unlock();
    }
    __atomic_store_n(&ar.stop, 1, __ATOMIC_RELEASE);
    g_thread_join(t);
    g_assert_cmpuint(ar.bad, ==, 0);
    g_assert_cmpuint(ar.reads, >, 0);

    bql_lock();
    memory_region_del_subregion(get_system_memory(), &ram);
    bql_unlock();
    drain_call_rcu();
    g_assert_cmpint(owner->ref, ==, 1);
    bql_lock();
    memory_region_finalize(&ram);
    bql_unlock();
    object_unref(owner);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rcu/nesting", test_nesting);
    g_test_add_func("/rcu/reader-holds", test_reader_holds);
    g_test_add_func("/rcu/synchronize-waits", test_synchronize_waits);
    g_test_add_func("/rcu/quiescent-stress", test_quiescent_stress);
    g_test_add_func("/rcu/thread-exit", test_thread_exit);
    g_test_add_func("/rcu/flatview-lifetime", test_flatview_lifetime);
    g_test_add_func("/rcu/access-vs-remap", test_access_vs_remap);
    int ret = g_test_run();
    /* The last version is nobody's to free through RCU. */
    g_free(global_obj);
    return ret;
}
