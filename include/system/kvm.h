/*
 * What the rest of emu may ask of the KVM accelerator: whether it is in use,
 * and the in-kernel irqchip helpers devices need for fast paths (irqfd,
 * ioeventfd, MSI routes). Everything returns -ENOSYS (or false) when KVM is not
 * built or not in use, so callers need no #ifdef.
 */
#ifndef SYSTEM_KVM_H
#define SYSTEM_KVM_H

#include "util/osdep.h"

#if CONFIG_KVM
/* The KVM accelerator is initialised and in use. */
bool kvm_enabled(void);
/* The PIC, IOAPIC, LAPICs and PIT are KVM's (kernel-irqchip=on). */
bool kvm_irqchip_in_kernel(void);
/* The host's KVM is kvm_pvm (software, no VMX/SVM): ring 0 is emulated. */
bool kvm_is_pvm(void);

/* An eventfd @fd that raises @gsi when written; @resample_fd (or -1) for levels. */
int kvm_irqchip_add_irqfd(int fd, int resample_fd, int gsi);
int kvm_irqchip_remove_irqfd(int fd, int gsi);
/* Writes of @size bytes (matching @val when @datamatch) to @addr signal @fd. */
int kvm_set_ioeventfd_pio(int fd, uint16_t addr, uint64_t val, bool assign, int size,
                          bool datamatch);
int kvm_set_ioeventfd_mmio(int fd, uint64_t addr, uint64_t val, bool assign, int size,
                           bool datamatch);
/* MSI routes: a virtual GSI (>= 24) that delivers the MSI message. */
int kvm_irqchip_add_msi_route(uint64_t addr, uint32_t data);
int kvm_irqchip_update_msi_route(int virq, uint64_t addr, uint32_t data);
void kvm_irqchip_release_virq(int virq);
int kvm_irqchip_commit_routes(void);
/* Deliver one MSI now. */
int kvm_send_msi(uint64_t addr, uint32_t data);
#else
static inline bool kvm_enabled(void) { return false; }
static inline bool kvm_irqchip_in_kernel(void) { return false; }
static inline bool kvm_is_pvm(void) { return false; }
static inline int kvm_irqchip_add_irqfd(int fd, int rfd, int gsi) { return -ENOSYS; }
static inline int kvm_irqchip_remove_irqfd(int fd, int gsi) { return -ENOSYS; }
static inline int kvm_set_ioeventfd_pio(int fd, uint16_t addr, uint64_t val, bool assign,
                                        int size, bool datamatch) { return -ENOSYS; }
static inline int kvm_set_ioeventfd_mmio(int fd, uint64_t addr, uint64_t val, bool assign,
                                         int size, bool datamatch) { return -ENOSYS; }
static inline int kvm_irqchip_add_msi_route(uint64_t addr, uint32_t data)
{
    return -ENOSYS;
}
static inline int kvm_irqchip_update_msi_route(int virq, uint64_t addr, uint32_t data)
{
    return -ENOSYS;
}
static inline void kvm_irqchip_release_virq(int virq) { }
static inline int kvm_irqchip_commit_routes(void) { return -ENOSYS; }
static inline int kvm_send_msi(uint64_t addr, uint32_t data) { return -ENOSYS; }
#endif

#endif
