# credstore: `make` builds everything (userspace and the module); `make help`
# lists the targets.  Userspace goes to $(BUILD) (build/, or build/san with
# SAN=1); the module is built by Kbuild in kmod/ against the Debian kernel
# that the VM boots (mk/kernel-version, or KVER=...).
#
# The layers, and the only way their includes may point (each folder's
# objects see their own headers and the layers below, nothing above):
#   tools/  ->  lib/  ->  common/  ->  uapi/
#   daemon/ ->  store/ -> flash/, counter/ -> common/
# tests/ and bench/ see everything.

BUILD   ?= build
SAN     ?=
ifeq ($(SAN),1)
BUILD   := build/san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif

KVER    ?= $(shell mk/kernel-version 2>/dev/null)
KDIR    := /lib/modules/$(KVER)/build
PKGS    := libnl-genl-3.0 libnl-3.0 libssl libcrypto libsystemd
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Iuapi -Icommon \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(SANFLAGS)
LDFLAGS += $(SANFLAGS)
LDLIBS  := -lmtd $(shell pkg-config --libs $(PKGS) 2>/dev/null)

# Include paths per layer (see above).
FLASH_INC  := -Iflash
COUNTER_INC := -Icounter
STORE_INC  := $(FLASH_INC) $(COUNTER_INC) -Istore
DAEMON_INC := $(STORE_INC) -Idaemon
LIB_INC    := -Ilib -Ilib/include
ALL_INC    := $(DAEMON_INC) $(LIB_INC) -Itools/credctl -Itests/unit

.PHONY: all
all: userspace module

# Archives, one per layer below the programs.
COMMON_A := $(BUILD)/libcommon.a
STORE_A  := $(BUILD)/libstore.a
DAEMON_A := $(BUILD)/libcredstored.a
LIB_A    := $(BUILD)/libcredstore-int.a
obj       = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

# $(call program,OUTPUT,MAIN_SOURCE[,EXTRA_SOURCES]): a program or a test,
# linked with every layer's archive.
define program
$(BUILD)/$(1): $(call obj,$(2) $(3)) $(DAEMON_A) $(LIB_A) $(STORE_A) $(COMMON_A)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef

# Each part appends its sources, programs and tests.
COMMON_SRCS :=
STORE_SRCS  :=
DAEMON_SRCS :=
LIB_SRCS    :=
PROGRAMS    :=
UNIT_TESTS  :=
HELP        := \
	"make              build userspace (build/) and the module (kmod/credstore.ko)" \
	"make test         install what is missing (make deps), build, run every test tier" \
	"make test-native  the native tests only (no VM)" \
	"make vm-test      the kernel tier only, in qemu" \
	"make demo         the whole system in a VM, step by step" \
	"make sparse       the module through sparse, for both kernels" \
	"make deps         install the Debian packages the build and tests need" \
	"make install      install (PREFIX=/usr/local, DESTDIR=); make uninstall" \
	"make clean        remove build/ and the module's objects" \
	"SAN=1             build into build/san with ASan and UBSan"
include $(sort $(wildcard */*.mk */*/*.mk))

.PHONY: userspace module deps test test-native vm-test sparse demo clean help
userspace: $(PROGRAMS) $(UNIT_TESTS)

module:
	@test -n "$(KVER)" || { echo "no Debian kernel with headers: run 'make deps'" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 modules
	$(MAKE) module-newest KMOD_ARGS=C=2

deps:
	@mk/deps

$(BUILD)/obj/flash/%.o:  CFLAGS += $(FLASH_INC)
$(BUILD)/obj/counter/%.o: CFLAGS += $(COUNTER_INC)
$(BUILD)/obj/store/%.o:  CFLAGS += $(STORE_INC)
$(BUILD)/obj/daemon/%.o: CFLAGS += $(DAEMON_INC)
$(BUILD)/obj/lib/%.o:    CFLAGS += $(LIB_INC)
$(BUILD)/obj/tools/%.o:  CFLAGS += $(LIB_INC) -Itools/credctl
$(BUILD)/obj/tests/%.o:  CFLAGS += $(ALL_INC)
$(BUILD)/obj/bench/%.o:  CFLAGS += $(ALL_INC)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

# $(call archive,ARCHIVE,SOURCES): rebuilt from scratch, so that a deleted
# source leaves no stale member.
define archive
$(1): $(call obj,$(2))
	@mkdir -p $$(dir $$@)
	rm -f $$@ && $$(AR) rcs $$@ $$^
endef
$(eval $(call archive,$(COMMON_A),$(COMMON_SRCS)))
$(eval $(call archive,$(STORE_A),$(STORE_SRCS)))
$(eval $(call archive,$(DAEMON_A),$(DAEMON_SRCS)))
$(eval $(call archive,$(LIB_A),$(LIB_SRCS)))

# make test: everything a fresh Debian 12 machine needs, then every tier.
test: deps
	$(MAKE) all ynl module-newest
	$(MAKE) SAN=1 userspace
	tests/run

test-native: userspace
	tests/run --native-only

vm-test: all ynl
	tests/vm/run

demo: deps
	$(MAKE) all
	@tests/vm/run tools/demo/demo-guest.sh | sed -n 's/^demo: //p'

clean:
	rm -rf build
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true

help:
	@printf '%s\n' $(HELP)

-include $(shell find $(BUILD)/obj $(BUILD)/pic -name '*.d' 2>/dev/null)
