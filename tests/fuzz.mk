# libFuzzer targets (tests/fuzz/): clang with ASan and UBSan, built in
# build/fuzz by a sub-make.  `make fuzz` runs each for FUZZ_SECONDS (60);
# `make test` builds them and tests/native/fuzz.sh runs each briefly and
# replays the regression inputs.
FUZZ_TARGETS := mount admin query pki batch
FUZZ_BUILD   := build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
		-fno-omit-frame-pointer

.PHONY: fuzz fuzz-build fuzz-seeds
ifeq ($(BUILD),$(FUZZ_BUILD))
fuzz-build: $(patsubst %,$(FUZZ_BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))

$(FUZZ_BUILD)/fuzz/fuzz_%: $(call obj,tests/fuzz/fuzz_%.c tests/fuzz/harness.c) $(DAEMON_A) $(LIB_A) $(STORE_A) $(COMMON_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $(filter %.o,$^) $(filter %.a,$^) $(LDLIBS)

# fuzz_batch: credctl's batch files with its real subcommand builders
# (tools/credctl/credctl.mk comes later: the sources are expanded when needed).
.SECONDEXPANSION:
$(FUZZ_BUILD)/fuzz/fuzz_batch: $$(call obj,$$(CREDCTL_SRCS))
else
fuzz-build:
	@if command -v clang >/dev/null; then \
		$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang SANFLAGS="$(FUZZ_FLAGS)" fuzz-build; \
	else echo "fuzz: no clang, the fuzz targets are not built"; fi
endif

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run

# Rewrite the committed seed corpora (each target writes its own).
fuzz-seeds: fuzz-build
	tests/fuzz/run --seeds

test test-native: fuzz-build

# The targets' objects are intermediate to make; keep them.
.SECONDARY: $(call obj,$(patsubst %,tests/fuzz/fuzz_%.c,$(FUZZ_TARGETS)) tests/fuzz/harness.c)

# nlfuzz: the netlink policy fuzzer of credstore.ko (VM case 60); libnl only.
PROGRAMS += $(BUILD)/bin/nlfuzz
$(eval $(call program,bin/nlfuzz,tests/fuzz/nlfuzz.c))
$(BUILD)/bin/nlfuzz: LDLIBS := $(shell pkg-config --libs libnl-genl-3.0 libnl-3.0)
HELP += "make fuzz         the libFuzzer targets, FUZZ_SECONDS (60) each"
