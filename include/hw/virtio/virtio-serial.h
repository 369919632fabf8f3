/*
 * virtio-serial (virtio 1.2 §5.3): the virtio-serial-pci controller, its
 * virtio-serial-bus and the ports that plug into it (virtconsole,
 * virtserialport), each joined to a host chardev. See hw/virtio/virtio-serial.c.
 */
#ifndef HW_VIRTIO_VIRTIO_SERIAL_H
#define HW_VIRTIO_VIRTIO_SERIAL_H

#include "hw/core/qdev.h"

#define TYPE_VIRTIO_SERIAL_PCI  "virtio-serial-pci"
#define TYPE_VIRTIO_SERIAL_BUS  "virtio-serial-bus"
#define TYPE_VIRTIO_SERIAL_PORT "virtio-serial-port"
#define TYPE_VIRTSERIALPORT     "virtserialport"
#define TYPE_VIRTCONSOLE        "virtconsole"

typedef struct VirtIOSerialPort VirtIOSerialPort;

#endif
