# Every tests/unit/test_*.c is a TAP program: build/tests/test_*.
UNIT_TEST_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_TESTS     += $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_TEST_SRCS))
$(foreach t,$(UNIT_TEST_SRCS),$(eval $(call program,tests/$(basename $(notdir $(t))),$(t))))
