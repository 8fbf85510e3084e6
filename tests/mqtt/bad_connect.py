#!/usr/bin/env python3
"""Send malformed MQTT CONNECT packets to a broker: each must be refused
(a CONNACK with a non-zero code, or the connection closed), none
accepted.  usage: bad_connect.py HOST PORT; exit 0 when all were refused."""
import socket
import struct
import sys


def utf8(b):
    return struct.pack("!H", len(b)) + b


def connect(flags, payload, proto=b"MQTT", level=4):
    var = utf8(proto) + bytes([level, flags]) + struct.pack("!H", 30)
    body = var + payload
    assert len(body) < 128
    return bytes([0x10, len(body)]) + body


CASES = {
    # MQTT 3.1.1 forbids a password without a username (flags 0x40).
    "password flag without username": connect(0x42, utf8(b"bad1") + utf8(b"secret")),
    "username length beyond the packet": connect(0xC2, utf8(b"bad2") + struct.pack("!H", 500) + b"dev3"),
    "username not UTF-8": connect(0xC2, utf8(b"bad3") + utf8(b"dev\xff\xfe") + utf8(b"m3-secret")),
    "username with a NUL": connect(0xC2, utf8(b"bad4") + utf8(b"dev3\x00x") + utf8(b"m3-secret")),
    "password flag, no password": connect(0xC2, utf8(b"bad5") + utf8(b"dev3")),
    "reserved flag bit set": connect(0xC3, utf8(b"bad6") + utf8(b"dev3") + utf8(b"m3-secret")),
    "remaining length past the data": bytes([0x10, 0x7F]) + connect(0xC2, utf8(b"bad7"))[2:],
    "not MQTT at all": b"GET / HTTP/1.0\r\n\r\n",
}


def refused(host, port, packet):
    with socket.create_connection((host, port), timeout=5) as s:
        s.sendall(packet)
        try:
            reply = s.recv(4)
        except (socket.timeout, ConnectionResetError):
            return True     # closed or silent: not admitted
        # CONNACK: 0x20 0x02 flags code; code 0 would be an admission.
        return not (len(reply) == 4 and reply[0] == 0x20 and reply[3] == 0)


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    failed = [name for name, packet in CASES.items() if not refused(host, port, packet)]
    for name in failed:
        print("admitted: " + name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
