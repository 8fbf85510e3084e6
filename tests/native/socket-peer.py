#!/usr/bin/env python3
"""A raw peer of credstored's sockets, for the security tests.

  socket-peer.py ask HEADERS SOCKET
      Send every command that HEADERS define, without attributes, each
      on a connection of its own to SOCKET, and print "NAME ERRNO" (0: an
      answer that is not an error; "none": no answer).
  socket-peer.py squat HEADERS SOCKET COUNT_FILE
      Listen on SOCKET (as whoever runs it) and answer every request with
      a success that claims generation 999; COUNT_FILE holds how many
      bytes it received, rewritten as they come ("0" once it listens).

HEADERS is a colon-separated list: <linux/credstore.h> and credstored's
common/credstore_admin.h.  The numbers (message type, commands,
attributes) are read from them, so commands added later are tried too,
and so are the module's retired ones (a comment "/* N: NAME, retired */"
in enum credstore_cmd).
Python, not C: a test double speaking the raw encoding, which no library offers in a few lines.
"""
import os
import re
import socket
import struct
import sys

NLM_F_REQUEST = 1


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


def message(mtype, flags, seq, cmd, attrs=b""):
    body = struct.pack("=BBH", cmd, 1, 0) + attrs
    return struct.pack("=IHHII", 16 + len(body), mtype, flags, seq, 0) + body


def attributes(data):
    out = {}
    while len(data) >= 4:
        alen, atype = struct.unpack_from("=HH", data)
        out[atype & 0x3fff] = data[4:alen]
        data = data[(alen + 3) & ~3:]
    return out


def ask(text, path):
    mtype = define(text, "CREDSTORE_USERSOCK_TYPE")
    a_errno = enum(text, "credstore_admin_attr")["CREDSTORE_A_ERRNO"]
    retired = {"CREDSTORE_CMD_" + m.group(2): int(m.group(1))
               for m in re.finditer(r"/\* (\d+): (\w+), retired \*/", text)}
    commands = {**enum(text, "credstore_cmd"), **retired,
                **enum(text, "credstore_admin_cmd"), **enum(text, "credstore_daemon_cmd")}
    for name, cmd in commands.items():
        if name.startswith("__") or name.endswith(("_MAX", "_UNSPEC")):
            continue
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.settimeout(5)
        s.connect(path)
        s.send(message(mtype, NLM_F_REQUEST, 1, cmd))
        try:
            reply = s.recv(1 << 20)
            err = attributes(reply[20:]).get(a_errno)
            print(name, struct.unpack("=I", err)[0] if err else 0 if reply else "none")
        except socket.timeout:
            print(name, "none")
        s.close()


def squat(text, path, count_file):
    mtype = define(text, "CREDSTORE_USERSOCK_TYPE")
    a_gen = enum(text, "credstore_attr")["CREDSTORE_A_GENERATION"]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.bind(path)
    os.chmod(path, 0o666)
    s.listen(16)
    received = 0
    open(count_file, "w").write("0\n")
    while True:
        conn, _ = s.accept()
        while True:
            data = conn.recv(1 << 22)
            if not data:
                break
            received += len(data)
            open(count_file, "w").write("%d\n" % received)
            if len(data) >= 20:
                seq = struct.unpack_from("=I", data, 8)[0]
                gen = struct.pack("=HHQ", 12, a_gen, 999)
                conn.send(message(mtype, 0, seq, data[16], gen))
        conn.close()


if __name__ == "__main__":
    header = "".join(open(path).read() for path in sys.argv[2].split(":"))
    if sys.argv[1] == "ask":
        ask(header, sys.argv[3])
    else:
        squat(header, sys.argv[3], sys.argv[4])
