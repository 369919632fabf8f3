/*
 * KVM vCPUs: one thread each runs KVM_RUN and hands exits to the memory API
 * with the big lock held. Kicks use SIG_IPI: the signal is unblocked only on
 * vCPU threads and its handler sets kvm_run->immediate_exit, so a kick that
 * lands just before KVM_RUN still makes it return at once (api.rst,
 * "immediate_exit"); one that lands inside KVM_RUN interrupts it with EINTR.
 */
#include "system/kvm-int.h"
#include "system/kvm.h"
#include "system/cpus.h"
#include "system/main-loop.h"
#include "system/runstate.h"
#include "util/log.h"
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

static void kvm_ipi_handler(int sig)
{
    CPUState *cpu = current_cpu;
    if (cpu && cpu->accel && cpu->accel->run) {
        __atomic_store_n(&cpu->accel->run->immediate_exit, 1, __ATOMIC_RELAXED);
    }
}

static bool kvm_init_vcpu_thread(CPUState *cpu, Error **errp)
{
    KVMState *s = kvm_state;
    AccelCPUState *a = g_new0(AccelCPUState, 1);
    unsigned long id = kvm_arch_vcpu_id(cpu);

    a->fd = kvm_vm_ioctl(s, KVM_CREATE_VCPU, (void *)(uintptr_t)id);
    if (a->fd < 0) {
        error_setg(errp, "KVM_CREATE_VCPU (CPU %d, APIC ID %lu): %s", cpu->cpu_index, id,
                   g_strerror(-a->fd));
        g_free(a);
        return false;
    }
    a->mmap_size = s->vcpu_mmap_size;
    a->run = mmap(NULL, a->mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, a->fd, 0);
    if (a->run == MAP_FAILED) {
        error_setg_errno(errp, errno, "mmap of the kvm_run area of CPU %d", cpu->cpu_index);
        close(a->fd);
        g_free(a);
        return false;
    }
    cpu->accel = a;
    if (!kvm_arch_init_vcpu(cpu, errp)) {
        munmap(a->run, a->mmap_size);
        close(a->fd);
        cpu->accel = NULL;
        g_free(a->msrs);
        g_free(a);
        return false;
    }

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIG_IPI);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    return true;
}

static void kvm_destroy_vcpu_thread(CPUState *cpu)
{
    AccelCPUState *a = cpu->accel;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIG_IPI);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (!a) {
        return;
    }
    kvm_arch_destroy_vcpu(cpu);
    cpu->accel = NULL;
    munmap(a->run, a->mmap_size);
    close(a->fd);
    g_free(a->msrs);
    g_free(a);
}

static void kvm_kick_vcpu_thread(CPUState *cpu)
{
    pthread_kill(cpu->host_thread, SIG_IPI);
}

static void kvm_handle_io(CPUState *cpu, struct kvm_run *run)
{
    uint8_t *p = (uint8_t *)run + run->io.data_offset;
    bool write = run->io.direction == KVM_EXIT_IO_OUT;
    /* REP INS/OUTS: KVM hands over up to a page of elements at once. */
    for (uint32_t i = 0; i < run->io.count; i++) {
        address_space_rw(&address_space_io, run->io.port, p, run->io.size, write);
        p += run->io.size;
    }
}

static const char *internal_suberror_name(uint32_t sub)
{
    switch (sub) {
    case KVM_INTERNAL_ERROR_EMULATION:
        return "instruction emulation failed";
    case KVM_INTERNAL_ERROR_SIMUL_EX:
        return "exception while delivering an exception";
    case KVM_INTERNAL_ERROR_DELIVERY_EV:
        return "event delivery failed";
    case KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON:
        return "unexpected exit reason";
    default:
        return "unknown";
    }
}

/* Report why @cpu cannot go on, with its registers; the VM is then stopped. */
static void kvm_report_fatal(CPUState *cpu, struct kvm_run *run, const char *what)
{
    g_autoptr(GString) out = g_string_new(NULL);
    g_string_append_printf(out, "KVM: CPU %d: %s", cpu->cpu_index, what);
    if (run && run->exit_reason == KVM_EXIT_INTERNAL_ERROR) {
        g_string_append_printf(out, ": suberror %u (%s)", run->internal.suberror,
                               internal_suberror_name(run->internal.suberror));
        if (run->internal.ndata) {
            g_string_append(out, ", data");
            for (uint32_t i = 0; i < MIN(run->internal.ndata, 16u); i++) {
                g_string_append_printf(out, " %#llx", run->internal.data[i]);
            }
        }
        if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION &&
            (run->emulation_failure.flags & KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)) {
            g_string_append(out, ", instruction bytes");
            for (unsigned i = 0; i < MIN(run->emulation_failure.insn_size, 15u); i++) {
                g_string_append_printf(out, " %02x", run->emulation_failure.insn_bytes[i]);
            }
        }
    } else if (run && run->exit_reason == KVM_EXIT_FAIL_ENTRY) {
        g_string_append_printf(out, ": hardware entry failure reason %#llx",
                               run->fail_entry.hardware_entry_failure_reason);
    }
    g_string_append_c(out, '\n');
    kvm_arch_report_vcpu_error(cpu, out);
    g_string_append(out, "emu: the VM is stopped (internal-error); 'info registers' in the "
                         "monitor shows the state, 'quit' ends emu\n");
    fputs(out->str, stderr);
    fflush(stderr);
    cpus_request_vm_stop(RUN_STATE_INTERNAL_ERROR);
}

static int kvm_cpu_exec(CPUState *cpu)
{
    AccelCPUState *a = cpu->accel;
    struct kvm_run *run = a->run;
    int ret = 0;

    bool user_irqchip = !kvm_irqchip_in_kernel();

    if (a->parked) {
        return EXCP_HLT;
    }
    if (user_irqchip && kvm_arch_process_async_events(cpu)) {
        return EXCP_HLT;
    }
    if (cpu->vcpu_dirty) {
        kvm_arch_put_registers(cpu, KVM_PUT_RUNTIME_STATE);
        cpu->vcpu_dirty = false;
    }
    bql_unlock();
    do {
        if (g_atomic_int_get(&cpu->exit_request)) {
            /* Still enter: KVM finishes a pending PIO/MMIO, then returns EINTR. */
            __atomic_store_n(&run->immediate_exit, 1, __ATOMIC_RELAXED);
        }
        if (user_irqchip) {
            kvm_arch_pre_run(cpu, run);
        }
        int r = ioctl(a->fd, KVM_RUN, 0);
        if (user_irqchip) {
            kvm_arch_post_run(cpu, run);
        }
        if (r < 0) {
            int err = errno;
            if (err == EINTR || err == EAGAIN) {
                ret = EXCP_INTERRUPT;
                break;
            }
            bql_lock();
            g_autofree char *what = g_strdup_printf("KVM_RUN failed: %s", g_strerror(err));
            kvm_report_fatal(cpu, NULL, what);
            bql_unlock();
            ret = EXCP_FATAL;
            break;
        }
        cpu->exits++;
        switch (run->exit_reason) {
        case KVM_EXIT_IO:
            a->exits_io++;
            bql_lock();
            kvm_handle_io(cpu, run);
            bql_unlock();
            break;
        case KVM_EXIT_MMIO:
            a->exits_mmio++;
            bql_lock();
            address_space_rw(&address_space_memory, run->mmio.phys_addr, run->mmio.data,
                             run->mmio.len, run->mmio.is_write);
            bql_unlock();
            break;
        case KVM_EXIT_INTR:
            ret = EXCP_INTERRUPT;
            break;
        case KVM_EXIT_IRQ_WINDOW_OPEN:
            /* kernel-irqchip=off: the next entry injects the interrupt. */
            break;
        case KVM_EXIT_HLT:
            /* Only without the in-kernel LAPIC (kernel-irqchip=off): sleep in
             * emu unless emu's LAPIC has something the vCPU can take now. */
            if (kvm_arch_handle_halt(cpu)) {
                ret = EXCP_HLT;
            }
            break;
        case KVM_EXIT_SHUTDOWN:
            /* A triple fault resets the machine (SDM vol. 3 §6.15, #DF handling). */
            emu_log_mask(LOG_GUEST_ERROR | LOG_RESET, "kvm: CPU %d: triple fault\n",
                         cpu->cpu_index);
            a->parked = true;
            system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
            ret = EXCP_HLT;
            break;
        case KVM_EXIT_SYSTEM_EVENT:
            a->parked = true;
            ret = EXCP_HLT;
            switch (run->system_event.type) {
            case KVM_SYSTEM_EVENT_SHUTDOWN:
                system_shutdown_request(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
                break;
            case KVM_SYSTEM_EVENT_RESET:
                system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
                break;
            case KVM_SYSTEM_EVENT_CRASH:
                bql_lock();
                error_report("KVM: CPU %d: the guest reported a crash", cpu->cpu_index);
                cpus_request_vm_stop(RUN_STATE_GUEST_PANICKED);
                bql_unlock();
                break;
            default:
                a->parked = false;
                ret = 0;
                emu_log_mask(LOG_UNIMP, "kvm: system event %u ignored\n",
                             run->system_event.type);
                break;
            }
            break;
        case KVM_EXIT_DEBUG:
            ret = EXCP_DEBUG;
            break;
        case KVM_EXIT_INTERNAL_ERROR:
            bql_lock();
            kvm_report_fatal(cpu, run, "internal error");
            bql_unlock();
            ret = EXCP_FATAL;
            break;
        case KVM_EXIT_FAIL_ENTRY:
            bql_lock();
            kvm_report_fatal(cpu, run, "entry into the guest failed");
            bql_unlock();
            ret = EXCP_FATAL;
            break;
        default: {
            a->exits_other++;
            bql_lock();
            g_autofree char *what = g_strdup_printf("unhandled exit reason %u",
                                                    run->exit_reason);
            kvm_report_fatal(cpu, run, what);
            bql_unlock();
            ret = EXCP_FATAL;
            break;
        }
        }
    } while (!ret);
    __atomic_store_n(&run->immediate_exit, 0, __ATOMIC_RELAXED);
    g_atomic_int_set(&cpu->exit_request, 0);
    bql_lock();
    return ret;
}

static void kvm_synchronize_state(CPUState *cpu)
{
    if (cpu->accel && kvm_arch_get_registers(cpu) == 0) {
        cpu->vcpu_dirty = true;
    }
}

static void kvm_synchronize_post_reset(CPUState *cpu)
{
    if (!cpu->accel) {
        return;
    }
    cpu->accel->parked = false;
    kvm_arch_reset_vcpu_events(cpu);
    kvm_arch_put_registers(cpu, KVM_PUT_RESET_STATE);
    cpu->vcpu_dirty = false;
}

static void kvm_synchronize_post_init(CPUState *cpu)
{
    if (!cpu->accel) {
        return;
    }
    kvm_arch_put_registers(cpu, KVM_PUT_FULL_STATE);
    cpu->vcpu_dirty = false;
}

static bool kvm_cpu_thread_is_idle(CPUState *cpu)
{
    /* With the in-kernel LAPIC halts are KVM's business and only a parked vCPU
     * sleeps here; with emu's LAPIC a halted vCPU sleeps until it has work. */
    if (cpu->accel && cpu->accel->parked) {
        return true;
    }
    return !kvm_irqchip_in_kernel() && !kvm_arch_cpu_has_work(cpu);
}

static const AccelOps kvm_accel_ops = {
    .name = "KVM",
    .init_vcpu_thread = kvm_init_vcpu_thread,
    .destroy_vcpu_thread = kvm_destroy_vcpu_thread,
    .exec_vcpu = kvm_cpu_exec,
    .kick_vcpu_thread = kvm_kick_vcpu_thread,
    .synchronize_state = kvm_synchronize_state,
    .synchronize_post_reset = kvm_synchronize_post_reset,
    .synchronize_post_init = kvm_synchronize_post_init,
    .cpu_thread_is_idle = kvm_cpu_thread_is_idle,
};

void kvm_cpus_init(KVMState *s)
{
    struct sigaction sa = { .sa_handler = kvm_ipi_handler };
    sigemptyset(&sa.sa_mask);
    sigaction(SIG_IPI, &sa, NULL);
    cpus_register_accel(&kvm_accel_ops);
}
