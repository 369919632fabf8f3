/*
 * Internals shared by the KVM accelerator (accel/kvm/) and its x86 register
 * marshalling (target/i386/kvm/). Nothing else includes this.
 */
#ifndef SYSTEM_KVM_INT_H
#define SYSTEM_KVM_INT_H

#include "accel/accel.h"
#include "hw/core/cpu.h"
#include "system/memory.h"
#include <linux/kvm.h>

#define TYPE_KVM_ACCEL ACCEL_CLASS_NAME("kvm")

/* The vCPU kick signal: unblocked on vCPU threads, sets immediate_exit. */
#define SIG_IPI SIGUSR1

typedef struct KVMSlot {
    hwaddr start_addr;
    uint64_t memory_size;      /* 0: free */
    void *ram;
    uint32_t flags;            /* KVM_MEM_* */
    int slot;
    MemoryRegion *mr;
    hwaddr offset_in_region;   /* of start_addr within mr */
    unsigned long *dirty_bmap;
} KVMSlot;

typedef struct KVMState {
    AccelState parent_obj;
    int fd;                    /* /dev/kvm */
    int vmfd;
    int vcpu_mmap_size;
    bool pvm;                  /* kvm_pvm: software KVM, ring 0 emulated */

    /* Capabilities (KVM_CHECK_EXTENSION). */
    bool readonly_mem;
    bool vcpu_events;
    bool debugregs;
    bool xsave;
    bool xcrs;
    int xsave2_size;           /* KVM_CAP_XSAVE2 (0 = use KVM_GET_XSAVE) */
    bool adjust_clock;
    bool tsc_control;
    bool irqfd;
    bool irqfd_resample;
    bool ioeventfd;
    bool signal_msi;
    int max_vcpus;
    int recommended_vcpus;

    bool irqchip_in_kernel;
    MemoryListener memory_listener;
    KVMSlot *slots;
    int nr_slots;
    bool global_dirty_log;

    /* GSI routing (KVM_SET_GSI_ROUTING). */
    struct kvm_irq_routing *irq_routes;
    int nr_allocated_irq_routes;
    unsigned long *used_gsi_bitmap;
    int gsi_count;

    uint64_t clock;            /* kvmclock saved while the VM is stopped */
    bool clock_valid;
} KVMState;

DECLARE_INSTANCE_CHECKER(KVMState, KVM_STATE, TYPE_KVM_ACCEL)

extern KVMState *kvm_state;

/* Per-vCPU state (CPUState.accel). */
struct AccelCPUState {
    int fd;
    struct kvm_run *run;
    int mmap_size;
    /* Triple fault or a power/reset event: wait for the system reset. */
    bool parked;
    /* x86: the MSRs this vCPU syncs, and the power-on LAPIC image. */
    uint32_t *msrs;
    int nr_msrs;
    uint8_t reset_lapic[1024];
    bool reset_lapic_valid;
    uint64_t exits_io, exits_mmio, exits_other;
    /* kernel-irqchip=off (target/i386/kvm/kvm-user-irqchip.c), under the big
     * lock: NMI/INIT/SIPI from emu's LAPIC not yet taken, the SIPI vector,
     * RFLAGS.IF at the last exit, interrupts injected with KVM_INTERRUPT. */
    unsigned user_events;
    uint8_t sipi_vector;
    bool if_flag;
    uint64_t injected;
};

int kvm_ioctl(KVMState *s, unsigned long type, ...);
int kvm_vm_ioctl(KVMState *s, unsigned long type, ...);
int kvm_vcpu_ioctl(CPUState *cpu, unsigned long type, ...);
int kvm_check_extension(KVMState *s, unsigned int extension);
int kvm_vm_check_extension(KVMState *s, unsigned int extension);

/* Levels for kvm_arch_put_registers (as QEMU's). */
enum {
    KVM_PUT_RUNTIME_STATE = 1,   /* after `info registers` or a debugger edit */
    KVM_PUT_RESET_STATE = 2,     /* after reset: also MSRs, mp_state, LAPIC */
    KVM_PUT_FULL_STATE = 3,      /* after init or incoming migration */
};

/* ---- target/i386/kvm/kvm.c ---- */

bool kvm_arch_init(KVMState *s, MachineState *ms, Error **errp);
bool kvm_arch_init_vcpu(CPUState *cpu, Error **errp);
void kvm_arch_destroy_vcpu(CPUState *cpu);
unsigned long kvm_arch_vcpu_id(CPUState *cpu);
int kvm_arch_put_registers(CPUState *cpu, int level);
int kvm_arch_get_registers(CPUState *cpu);
/* The vCPU hit something KVM cannot handle: describe it on stderr. */
void kvm_arch_report_vcpu_error(CPUState *cpu, GString *out);

/*
 * kernel-irqchip=off: emu's PIC/IOAPIC/LAPIC serve the vCPUs
 * (target/i386/kvm/kvm-user-irqchip.c). All run with the big lock held.
 */
/* Take pending INIT/SIPI, wake a halted vCPU that has work; true: stay halted. */
bool kvm_arch_process_async_events(CPUState *cpu);
/* Before KVM_RUN: NMI, KVM_INTERRUPT or an interrupt window request, CR8. */
void kvm_arch_pre_run(CPUState *cpu, struct kvm_run *run);
/* After KVM_RUN: CR8/TPR, APIC base, RFLAGS.IF back to emu's LAPIC. */
void kvm_arch_post_run(CPUState *cpu, struct kvm_run *run);
/* A HLT exit; true: the vCPU sleeps until its LAPIC has work for it. */
bool kvm_arch_handle_halt(CPUState *cpu);
/* The vCPU has something to do (for the idle check of a halted vCPU). */
bool kvm_arch_cpu_has_work(CPUState *cpu);
/* The machine was reset: forget NMI/INIT/SIPI not yet taken. */
void kvm_arch_reset_vcpu_events(CPUState *cpu);

/* ---- accel/kvm/kvm-cpus.c ---- */

void kvm_cpus_init(KVMState *s);

#endif
