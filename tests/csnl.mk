# csnl: the libnl-genl-3 client of credstore.ko used by the VM tests and
# bench/query.  It links libnl alone: the tests start it hundreds of times
# in a TCG guest, where every shared library costs.
CSNL_SRCS := tests/nl/conn.c tests/nl/attrs.c
PROGRAMS  += $(BUILD)/bin/csnl
$(eval $(call program,bin/csnl,tests/nl/csnl.c,$(CSNL_SRCS)))
$(BUILD)/bin/csnl: LDLIBS := $(shell pkg-config --libs libnl-genl-3.0 libnl-3.0)
