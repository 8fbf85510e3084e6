#!/bin/bash
# The header agrees with the family's netlink spec (uapi/credstore.yaml):
# names, values (as compiled) and attribute types.
cd "$(dirname "$0")/../.."
exec python3 tests/spec/check_header.py uapi/credstore.yaml uapi/linux/credstore.h "${CC:-cc}"
