# credstore: build, test, vm-test, bench, demo, install.
# Userspace goes to $(BUILD) (build/, or build/san with SAN=1); the module
# is built by Kbuild in kmod/ against the Debian kernel that the VM boots.

BUILD   ?= build
SAN     ?=
ifeq ($(SAN),1)
BUILD   := build/san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif

KVER    := $(shell mk/kernel-version 2>/dev/null)
KDIR    := /lib/modules/$(KVER)/build
PKGS    := libnl-genl-3.0 libnl-3.0 libssl libcrypto libsystemd
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Iuapi -Ilib -Idaemon -Itests/unit \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(SANFLAGS)
LDFLAGS += $(SANFLAGS)
LDLIBS  := -lmtd $(shell pkg-config --libs $(PKGS) 2>/dev/null)

LIB_A    := $(BUILD)/libcredstore.a
DAEMON_A := $(BUILD)/libcredstored.a
obj       = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

# $(call program,OUTPUT,MAIN_SOURCE[,EXTRA_SOURCES]): a program or a test,
# linked with the daemon's and the library's archives.
define program
$(BUILD)/$(1): $(call obj,$(2) $(3)) $(DAEMON_A) $(LIB_A)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef

# Each part appends its sources, programs and tests.
LIB_SRCS    :=
DAEMON_SRCS :=
PROGRAMS    :=
UNIT_TESTS  :=
include $(sort $(wildcard */*.mk))

.PHONY: all userspace module deps test test-native vm-test sparse demo clean
all: userspace module

userspace: $(PROGRAMS) $(UNIT_TESTS)

module:
	@test -n "$(KVER)" || { echo "no Debian kernel with headers: run 'make deps'" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 modules

deps:
	@mk/deps

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIB_A): $(call obj,$(LIB_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(DAEMON_A): $(call obj,$(DAEMON_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

# make test: everything a fresh Debian 12 machine needs, then every tier.
test: deps
	$(MAKE) all
	$(MAKE) SAN=1 userspace
	tests/run

test-native: userspace
	tests/run --native-only

vm-test: all
	tests/vm/run

demo: deps
	$(MAKE) all
	@tests/vm/run tools/demo-guest.sh | sed -n 's/^demo: //p'

clean:
	rm -rf build
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
