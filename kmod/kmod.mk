# credstore.ko's netlink policies and operations, generated from the
# family's spec (uapi/credstore.yaml) with the kernel's own YNL tools, and
# the module built for a second kernel.
#
# `make ynl` unpacks tools/net/ynl and the genetlink-legacy schema from
# Debian's linux-source-6.12 into build/ynl, laid out as the generator
# expects a kernel tree (MAINTAINERS marks the root; the schema sits
# beside the spec's folder; build/ynl/uapi links to uapi/), and applies
# mk/ynl-gen-binary-max-len.patch.  The kernel's sources are never
# committed.  `make netlink-gen` regenerates kmod/netlink-gen.[ch] (commit
# them); tests/native/59-netlink-spec.sh fails when they differ from
# what the spec generates.
YNL_TARBALL ?= /usr/src/linux-source-6.12.tar.xz
YNL         := build/ynl
YNL_SCHEMA  := Documentation/netlink/genetlink-legacy.yaml
YNL_GEN     := python3 tools/net/ynl/ynl-gen-c.py --mode kernel \
	       --spec ./uapi/credstore.yaml

$(YNL)/.unpacked: $(YNL_TARBALL) mk/ynl-gen-binary-max-len.patch
	@test -f $(YNL_TARBALL) || { echo "make ynl: $(YNL_TARBALL) is missing (make deps)" >&2; exit 1; }
	rm -rf $(YNL) && mkdir -p $(YNL)
	tar -xJf $(YNL_TARBALL) -C $(YNL) --strip-components=1 --wildcards \
		'linux-source-*/tools/net/ynl' 'linux-source-*/$(YNL_SCHEMA)'
	patch -s -d $(YNL) -p1 < mk/ynl-gen-binary-max-len.patch
	ln -s $(YNL_SCHEMA) $(YNL)/genetlink-legacy.yaml
	ln -s ../../uapi $(YNL)/uapi
	echo "credstore: the root of the kernel tree the YNL tools expect" > $(YNL)/MAINTAINERS
	touch $@

# $(call netlink_gen,DIR): kmod's generated files, written into DIR.
netlink_gen = cd $(YNL) && \
	      $(YNL_GEN) --source -o $(abspath $(1))/netlink-gen.c && \
	      $(YNL_GEN) --header -o $(abspath $(1))/netlink-gen.h

.PHONY: ynl netlink-gen module-newest
ynl: $(YNL)/.unpacked

# NETLINK_GEN_DIR: where to write them (the test compares a fresh copy).
NETLINK_GEN_DIR ?= kmod
netlink-gen: $(YNL)/.unpacked
	$(call netlink_gen,$(NETLINK_GEN_DIR))

# The module for the newest installed kernel (Debian 12's 6.12), built in
# a copy of its sources so that kmod/credstore.ko stays the default one's.
KVER_NEWEST  = $(shell mk/kernel-version --newest 2>/dev/null)
KMOD_NEWEST  = build/kmod-$(KVER_NEWEST)
module-newest:
	@test -n "$(KVER_NEWEST)" || { echo "no Debian kernel with headers: run 'make deps'" >&2; exit 1; }
	rm -rf $(KMOD_NEWEST) && mkdir -p $(KMOD_NEWEST)/kmod
	cp -r Kbuild uapi $(KMOD_NEWEST)/ && cp kmod/Kbuild kmod/*.[ch] $(KMOD_NEWEST)/kmod/
	$(MAKE) -C /lib/modules/$(KVER_NEWEST)/build M=$(CURDIR)/$(KMOD_NEWEST) $(KMOD_ARGS) modules

HELP += "make ynl          unpack the kernel's YNL tools (linux-source-6.12) into build/ynl" \
	"make netlink-gen  regenerate kmod/netlink-gen.[ch] from uapi/credstore.yaml" \
	"make module-newest  the module for the newest installed kernel (build/kmod-<ver>)"
