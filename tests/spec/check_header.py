#!/usr/bin/env python3
"""Check uapi/linux/credstore.h against uapi/credstore.yaml, the family's
netlink spec: every name the spec defines is in the header with the same
value (the header compiled by cc, so the values are the compiler's), every
enumerator of the header is in the spec, and every attribute has the type
the header documents for it.

usage: check_header.py SPEC HEADER [CC]; prints TAP."""
import os
import re
import subprocess
import sys
import tempfile

import yaml

FAMILY_PREFIX = "credstore-"


def c_name(*parts):
    return "".join(parts).upper().replace("-", "_")


def spec_names(spec):
    """{C name: value} for what the spec defines, and {C name: type} for
    the attributes."""
    values, types = {}, {}
    for d in spec["definitions"]:
        if d["type"] == "const":
            values[c_name(d.get("name-prefix", FAMILY_PREFIX), d["name"])] = d["value"]
            continue
        prefix = d.get("name-prefix", FAMILY_PREFIX + d["name"] + "-")
        value = d.get("value-start", 0)
        for i, entry in enumerate(d["entries"]):
            values[c_name(prefix, entry)] = (1 << i) if d["type"] == "flags" else value + i
    for aset in spec["attribute-sets"]:
        if "subset-of" in aset:		# names a part of another set
            continue
        value = 1
        for attr in aset["attributes"]:
            value = attr.get("value", value)
            name = c_name(aset["name-prefix"], attr["name"])
            values[name], types[name] = value, attr["type"]
            value += 1
    ops = spec["operations"]
    value = 1
    for op in ops["list"]:
        value = op.get("value", value)
        values[c_name(ops["name-prefix"], op["name"])] = value
        value += 1
    return values, types


def header_enumerators(text):
    """The enumerators of every enum in the header, without the MAX and ALL
    helpers that a spec generates by itself."""
    names = []
    for body in re.findall(r"enum \w+ \{(.*?)\};", text, re.S):
        body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
        for m in re.finditer(r"^\s*([A-Z][A-Z0-9_]*)", body, re.M):
            if not re.search(r"(^__|_MAX$|_F_ALL$)", m.group(1)):
                names.append(m.group(1))
    return names


def compiled_values(header, names, cc):
    """Each name's value, as the compiler sees it."""
    prog = ['#include <stdio.h>', '#include "%s"' % os.path.abspath(header), "int main(void) {"]
    prog += ['printf("%%s %%lld\\n", "%s", (long long)(%s));' % (n, n) for n in names]
    prog += ["return 0; }"]
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = os.path.join(tmp, "values.c"), os.path.join(tmp, "values")
        with open(src, "w") as f:
            f.write("\n".join(prog))
        subprocess.run([cc, "-Wall", "-Werror", "-o", exe, src], check=True)
        out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    return {n: int(v) for n, v in (line.split() for line in out.splitlines())}


# How the header's comments name a type, and the spec's word for it.
DOC_TYPES = [("NUL-terminated string", "string"), ("nested", "nest"), ("binary", "binary"),
             ("string", "string"), ("flag", "flag"), ("u64", "u64"), ("u32", "u32"),
             ("u8", "u8")]


def doc_type(text):
    for words, t in DOC_TYPES:
        if text.strip().startswith(words):
            return t
    return None


def header_types(text, names):
    """The type the header documents for each attribute: kernel-doc
    "@NAME[, @NAME]: type", or a comment after the enumerator, or (for a
    run of enumerators under one comment) the type of the one before."""
    types = {}
    joined = re.sub(r"\n\s*\*\s*", " ", text)	# a comment's lines as one
    for m in re.finditer(r"((?:@[A-Z0-9_]+,?\s*)+):\s*([^@]+)", joined):
        t = doc_type(m.group(2))
        for n in re.findall(r"@([A-Z0-9_]+)", m.group(1)):
            if t:
                types[n] = t
    for m in re.finditer(r"^\s*([A-Z][A-Z0-9_]*),?\s*/\*\s*([^*]+)", text, re.M):
        t = doc_type(m.group(2))
        if t:
            types[m.group(1)] = t
    previous = None
    for n in names:
        if n.endswith("_UNSPEC"):
            types[n] = "unused"
        elif n.endswith("_PAD"):
            types[n] = "pad"
        elif n not in types and previous:
            types[n] = previous
        previous = types.get(n)
    return types


def main():
    spec_path, header = sys.argv[1], sys.argv[2]
    cc = sys.argv[3] if len(sys.argv) > 3 else "cc"
    with open(spec_path) as f:
        spec = yaml.safe_load(f)
    with open(header) as f:
        text = f.read()
    want, want_types = spec_names(spec)
    names = header_enumerators(text)
    version = c_name(spec["c-version-name"])
    have = compiled_values(header, sorted(set(names) | set(want) | {version}), cc)
    attrs = [n for n in names if n in want_types]
    have_types = header_types(text, attrs)
    results = []
    for n, v in want.items():
        results.append((have.get(n) == v, "%s = %d (header: %s)" % (n, v, have.get(n))))
    for n in names:
        results.append((n in want, "%s is in the spec" % n))
    for n in attrs:
        results.append((have_types.get(n) == want_types[n],
                        "%s is %s (header: %s)" % (n, want_types[n], have_types.get(n))))
    family = c_name(spec["c-family-name"])
    results.append((re.search(r'#define %s\s+"%s"' % (family, spec["name"]), text) is not None,
                    "%s is \"%s\"" % (family, spec["name"])))
    results.append((have.get(version) == spec["version"], "%s is %d" % (version, spec["version"])))
    for g in spec["mcast-groups"]["list"]:
        results.append(('"%s"' % g["name"] in text, "multicast group \"%s\"" % g["name"]))
    failed = 0
    for i, (ok, desc) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, desc))
        failed += not ok
    print("1..%d" % len(results))
    return 1 if failed or not names else 0


if __name__ == "__main__":
    sys.exit(main())
