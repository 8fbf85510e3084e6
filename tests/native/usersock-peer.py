#!/usr/bin/env python3
"""A raw NETLINK_USERSOCK peer of credstored, for the security tests.

  usersock-peer.py ask HEADERS
      Send every command that HEADERS define, without attributes, each
      from a socket of its own, and print "NAME ERRNO" (0: an answer that
      is not an error; "none": no answer).
  usersock-peer.py squat HEADERS COUNT_FILE
      Bind credstored's port and answer every request with a success that
      claims generation 999, writing how many it answered to COUNT_FILE.

HEADERS is a colon-separated list: <linux/credstore.h> and credstored's
common/credstore_admin.h.  The numbers (port, message type, commands,
attributes) are read from them, so commands added later are tried too.  Python, not C: this is a
test double speaking raw netlink, which no library offers in a few lines.
"""
import re
import socket
import struct
import sys

NETLINK_USERSOCK = 2
NLM_F_REQUEST = 1
SO_PASSCRED = 16


def enum(text, name):
    body = re.search(r"enum %s \{(.*?)\};" % name, text, re.S).group(1)
    values, n = {}, -1
    for m in re.finditer(r"^\s*(\w+)(?:\s*=\s*(\w+))?,", body, re.M):
        if m.group(2):
            n = define(text, m.group(2)) if m.group(2).startswith("CREDSTORE") else int(m.group(2), 0)
        else:
            n += 1
        values[m.group(1)] = n
    return values


def define(text, name):
    return int(re.search(r"#define %s\s+(\w+?)u?\b" % name, text).group(1), 0)


def message(mtype, flags, seq, pid, cmd, attrs=b""):
    body = struct.pack("=BBH", cmd, 1, 0) + attrs
    return struct.pack("=IHHII", 16 + len(body), mtype, flags, seq, pid) + body


def attributes(data):
    out = {}
    while len(data) >= 4:
        alen, atype = struct.unpack_from("=HH", data)
        out[atype & 0x3fff] = data[4:alen]
        data = data[(alen + 3) & ~3:]
    return out


def ask(text):
    port = define(text, "CREDSTORE_USERSOCK_PORT")
    mtype = define(text, "CREDSTORE_USERSOCK_TYPE")
    a_errno = enum(text, "credstore_admin_attr")["CREDSTORE_A_ERRNO"]
    commands = {**enum(text, "credstore_cmd"), **enum(text, "credstore_admin_cmd")}
    for name, cmd in commands.items():
        if name.startswith("__") or name.endswith(("_MAX", "_UNSPEC")):
            continue
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_USERSOCK)
        s.setsockopt(socket.SOL_SOCKET, SO_PASSCRED, 1)
        s.bind((0, 0))
        s.settimeout(5)
        s.sendto(message(mtype, NLM_F_REQUEST, 1, 0, cmd), (port, 0))
        try:
            reply = s.recv(1 << 20)
            err = attributes(reply[20:]).get(a_errno)
            print(name, struct.unpack("=I", err)[0] if err else 0)
        except socket.timeout:
            print(name, "none")
        s.close()


def squat(text, count_file):
    port = define(text, "CREDSTORE_USERSOCK_PORT")
    mtype = define(text, "CREDSTORE_USERSOCK_TYPE")
    a_gen = enum(text, "credstore_attr")["CREDSTORE_A_GENERATION"]
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_USERSOCK)
    s.bind((port, 0))
    open(count_file, "w").write("0\n")
    answered = 0
    while True:
        data, (peer, _) = s.recvfrom(1 << 20)
        if len(data) < 20:
            continue
        seq = struct.unpack_from("=I", data, 8)[0]
        gen = struct.pack("=HHQ", 12, a_gen, 999)
        s.sendto(message(mtype, 0, seq, port, data[16], gen), (peer, 0))
        answered += 1
        open(count_file, "w").write("%d\n" % answered)


if __name__ == "__main__":
    header = "".join(open(path).read() for path in sys.argv[2].split(":"))
    if sys.argv[1] == "ask":
        ask(header)
    else:
        squat(header, sys.argv[3])
