# libcredstore: the client library.  Its sources also go into the internal
# archive that every program links; the installable libraries are built
# apart, in $(BUILD)/lib: libcredstore.so.1 exporting the public API
# only (libcredstore.map), libcredstore.a, and libcredstore.pc.
LIBCREDSTORE_VERSION := 1.0.0
LIBCREDSTORE_OWN     := lib/conn.c lib/query.c lib/device.c lib/notify.c lib/tls.c lib/verdict_cache.c \
			lib/sign.c $(addprefix lib/provider/,core.c keyref.c signer.c keymgmt.c \
			signature.c decoder.c store.c provider.c) \
			lib/crl.c
LIBCREDSTORE_SRCS    := $(LIBCREDSTORE_OWN) common/usersock.c common/cmd_kind.c common/fingerprint.c \
			common/error.c common/ext_ack.c
LIB_SRCS += $(LIBCREDSTORE_OWN)

LIBCREDSTORE_DIR := $(BUILD)/lib
LIBCREDSTORE_SO  := $(LIBCREDSTORE_DIR)/libcredstore.so.1
PROGRAMS += $(LIBCREDSTORE_SO) $(LIBCREDSTORE_DIR)/libcredstore.so \
	    $(LIBCREDSTORE_DIR)/libcredstore.a $(LIBCREDSTORE_DIR)/libcredstore.pc

$(BUILD)/pic/lib/%.o: CFLAGS += $(LIB_INC)
$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC -MMD -MP -c -o $@ $<

$(LIBCREDSTORE_SO): $(patsubst %.c,$(BUILD)/pic/%.o,$(LIBCREDSTORE_SRCS)) lib/libcredstore.map
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -shared -Wl,-soname,libcredstore.so.1 \
		-Wl,--version-script=lib/libcredstore.map -Wl,--no-undefined \
		-o $@ $(filter %.o,$^) $(shell pkg-config --libs libnl-genl-3.0 libnl-3.0 libssl libcrypto)

# The OpenSSL provider as a loadable module (credstore-provider(7)): the
# library's objects, linked in whole, exporting OSSL_provider_init only.
PROVIDER_MODULE := $(LIBCREDSTORE_DIR)/ossl-modules/credstore.so
PROGRAMS += $(PROVIDER_MODULE)
# module.c's plain object too, for tests/call-graph over lib/provider.
PROGRAMS += $(call obj,lib/provider/module.c)
$(PROVIDER_MODULE): $(patsubst %.c,$(BUILD)/pic/%.o,$(LIBCREDSTORE_SRCS) lib/provider/module.c) \
		    lib/provider/module.map
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -shared -Wl,--version-script=lib/provider/module.map -Wl,--no-undefined \
		-o $@ $(filter %.o,$^) $(shell pkg-config --libs libnl-genl-3.0 libnl-3.0 libssl libcrypto)

$(LIBCREDSTORE_DIR)/libcredstore.so: | $(LIBCREDSTORE_SO)
	ln -sf libcredstore.so.1 $@

$(LIBCREDSTORE_DIR)/libcredstore.a: $(call obj,$(LIBCREDSTORE_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

PREFIX ?= /usr/local
$(LIBCREDSTORE_DIR)/libcredstore.pc: lib/libcredstore.pc.in lib/libcredstore.mk
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(LIBCREDSTORE_VERSION)|' $< > $@

# make install-lib [DESTDIR=...] [PREFIX=/usr/local]: also the provider
# module, into OpenSSL's modules directory (OSSL_MODULESDIR, dist/install.mk).
.PHONY: install-lib
install-lib: $(LIBCREDSTORE_SO) $(LIBCREDSTORE_DIR)/libcredstore.a $(LIBCREDSTORE_DIR)/libcredstore.pc \
	     $(PROVIDER_MODULE)
	install -D -m 0755 $(LIBCREDSTORE_SO) $(DESTDIR)$(PREFIX)/lib/libcredstore.so.1
	ln -sf libcredstore.so.1 $(DESTDIR)$(PREFIX)/lib/libcredstore.so
	install -D -m 0644 $(LIBCREDSTORE_DIR)/libcredstore.a $(DESTDIR)$(PREFIX)/lib/libcredstore.a
	install -D -m 0644 $(LIBCREDSTORE_DIR)/libcredstore.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/libcredstore.pc
	install -D -m 0644 lib/include/credstore/credstore.h $(DESTDIR)$(PREFIX)/include/credstore/credstore.h
	install -D -m 0644 common/credstore/sign.h $(DESTDIR)$(PREFIX)/include/credstore/sign.h
	install -D -m 0644 uapi/linux/credstore.h $(DESTDIR)$(PREFIX)/include/linux/credstore.h
	install -D -m 0644 $(PROVIDER_MODULE) $(DESTDIR)$(OSSL_MODULESDIR)/credstore.so
