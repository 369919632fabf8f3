/*
 * A small AML (ACPI Machine Language) encoder for the DSDT: just the terms
 * emu's tables use (ACPI 6.5 §20, "ACPI Machine Language Specification").
 *
 * Terms are built bottom-up: create a container (scope, device, method,
 * package, resource template), aml_append its children, and append it to its
 * own parent. aml_append takes ownership of the child and encodes it then; a
 * root made with aml_root() is turned into bytes with aml_finish().
 */
#ifndef HW_ACPI_AML_H
#define HW_ACPI_AML_H

#include "util/osdep.h"

typedef struct Aml Aml;

/* Byte-level helpers shared by the table builders (all little-endian). */
void build_append_int_noprefix(GByteArray *buf, uint64_t value, unsigned size);
/* PkgLength (§20.2.4) for @length bytes that follow it (it counts itself). */
void build_append_pkg_length(GByteArray *buf, size_t length);
/* A NameString (§20.2.2) for "\\_SB.PCI0", "^FOO", "_S5"... */
void build_append_namestring(GByteArray *buf, const char *path);

/* The top level of a definition block: no opcode of its own. */
Aml *aml_root(void);
/* Encoded bytes of @root (freed). */
GByteArray *aml_finish(Aml *root);
/* Add @child (consumed) at the end of @parent. */
void aml_append(Aml *parent, Aml *child);

/* Data: the shortest integer encoding (Zero, One, Ones, Byte..QWordConst). */
Aml *aml_int(uint64_t value);
Aml *aml_string(const char *str);
/* A compressed EISA ID such as "PNP0501" (§19.3.4 EISAID). */
Aml *aml_eisaid(const char *id);
/* A reference to a named object. */
Aml *aml_name(const char *path);

/* Name(@name, @value), consuming @value. */
Aml *aml_name_decl(const char *name, Aml *value);
Aml *aml_scope(const char *path);
Aml *aml_device(const char *path);
Aml *aml_method(const char *name, unsigned nargs, bool serialized);
Aml *aml_return(Aml *value);
/* Package(@num_elements) { ... appended elements ... } */
Aml *aml_package(uint8_t num_elements);

/* ResourceTemplate() { ... }: a Buffer ending in an End Tag (§6.4.2.9). */
Aml *aml_resource_template(void);
/* IO(Decode16, min, max, align, len) (§6.4.2.5). */
Aml *aml_io(uint16_t min, uint16_t max, uint8_t align, uint8_t len);
/* IRQNoFlags() { irq } (§6.4.2.1). */
Aml *aml_irq_no_flags(uint8_t irq);

/*
 * Address space descriptors (§6.4.3.5.1-3) for a bridge's _CRS: always
 * ResourceProducer, PosDecode, MinFixed and MaxFixed, granularity and
 * translation 0, length max - min + 1.
 */
Aml *aml_word_bus_number(uint16_t min, uint16_t max);
/* DWordIO(..., EntireRange, ...) */
Aml *aml_dword_io(uint32_t min, uint32_t max);
/* DWordMemory / QWordMemory, ReadWrite; @cacheable: Cacheable, else NonCacheable. */
Aml *aml_dword_memory(bool cacheable, uint32_t min, uint32_t max);
Aml *aml_qword_memory(bool cacheable, uint64_t min, uint64_t max);
/*
 * Interrupt(ResourceConsumer, Level, ActiveHigh, Shared) { irqs } (§6.4.3.6,
 * the Extended Interrupt Descriptor): the form PCI interrupt links use. The
 * first interrupt number is the dword at byte 5 of the descriptor.
 */
Aml *aml_interrupt_level_shared(const uint32_t *irqs, unsigned n);

/* ---- terms used inside methods (§20.2.5) ---- */

Aml *aml_arg(unsigned n);                 /* Arg0..Arg6 */
Aml *aml_local(unsigned n);               /* Local0..Local7 */
/* Store(@src, @dst) */
Aml *aml_store(Aml *src, Aml *dst);
/* And/Or(@a, @b, @target); @target NULL: no target (the value only). */
Aml *aml_and(Aml *a, Aml *b, Aml *target);
Aml *aml_or(Aml *a, Aml *b, Aml *target);
Aml *aml_lless(Aml *a, Aml *b);
Aml *aml_lequal(Aml *a, Aml *b);
/* If(@predicate) { ... appended terms ... } */
Aml *aml_if(Aml *predicate);
/* CreateDWordField(@buf, @byte_index, @name) */
Aml *aml_create_dword_field(Aml *buf, Aml *byte_index, const char *name);

/* OperationRegion(@name, @space, @offset, @len) (§19.6.100); space ids: */
#define AML_SPACE_SYSTEM_IO 0x01
#define AML_SPACE_PCI_CONFIG 0x02
Aml *aml_operation_region(const char *name, uint8_t space, uint64_t offset, uint32_t len);
/* Field(@region, ByteAcc, NoLock, Preserve) { ... aml_named_field()s ... } */
Aml *aml_field_byte_acc(const char *region);
/* A @bits-wide named field of a Field. */
Aml *aml_named_field(const char *name, unsigned bits);

#endif
