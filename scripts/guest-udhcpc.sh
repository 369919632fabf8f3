#!/bin/busybox sh
# /usr/share/udhcpc/default.script of the standard test guest: busybox udhcpc
# runs it with $1 = deconfig|bound|renew|leasefail|nak and the lease in the
# environment ($interface, $ip, $subnet, $router, $dns).
case "$1" in
    deconfig)
        ip addr flush dev "$interface"
        ip link set "$interface" up
        ;;
    bound|renew)
        ip addr flush dev "$interface"
        ip addr add "$ip/${mask:-24}" dev "$interface"
        if [ -n "$router" ]; then
            for gw in $router; do
                ip route add default via "$gw" dev "$interface" && break
            done
        fi
        : > /etc/resolv.conf
        for ns in $dns; do
            echo "nameserver $ns" >> /etc/resolv.conf
        done
        echo "udhcpc: $interface bound to $ip"
        ;;
esac
exit 0
