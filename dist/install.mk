# make install / make uninstall [DESTDIR=...] [PREFIX=/usr/local]: the
# programs, libcredstore (through lib's install-lib), the man pages, the
# systemd units (the service and its two sockets), a modules-load.d
# snippet, the netlink spec, the OpenSSL provider module (into OpenSSL's
# modules directory), and the kernel
# module's sources for DKMS in /usr/src/credstore-<version> (where dkms
# looks, whatever the prefix).
CREDSTORE_VERSION := 1.0.0
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
DATADIR    ?= $(PREFIX)/share/credstore
UNITDIR    ?= $(PREFIX)/lib/systemd/system
MODLOADDIR ?= $(PREFIX)/lib/modules-load.d
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
DKMSDIR    ?= /usr/src/credstore-$(CREDSTORE_VERSION)
# OpenSSL's modules directory, where `-provider credstore` and openssl.cnf
# find the provider's module by name (whatever the prefix, as for DKMS).
OSSL_MODULESDIR ?= $(shell openssl version -m 2>/dev/null | sed -n 's/^MODULESDIR: "\(.*\)"/\1/p')

MAN_PAGES    := man/credstored.8 man/credctl.8 man/libcredstore.3 man/credstore.7 \
		man/credstore-provider.7 man/credstore-mosquitto.8 man/credstore-coapd.8 man/credstore-cgi.8
# The front ends' files that are no command: the mosquitto plugin and the
# CGI program (for a web server's cgi-bin, linked there as `update` for
# the camera's protocol), and the CGI's configuration, example first.
FRONTDIR   ?= $(PREFIX)/lib/credstore
man_dest      = $(MANDIR)/man$(subst .,,$(suffix $(1)))/$(notdir $(1))
DKMS_SOURCES := Kbuild $(wildcard kmod/*.c kmod/*.h) kmod/Kbuild uapi/linux/credstore.h

# Every file install puts down, for uninstall (install-lib's included).
INSTALLED := $(SBINDIR)/credstored $(SBINDIR)/credctl $(BINDIR)/credstore-tlsproxy \
	     $(SBINDIR)/credstore-coapd $(FRONTDIR)/credstore-mosquitto.so $(FRONTDIR)/credstore-cgi \
	     $(DATADIR)/cgi.conf.example \
	     $(foreach f,libcredstore.so.1 libcredstore.so libcredstore.a pkgconfig/libcredstore.pc,$(PREFIX)/lib/$(f)) \
	     $(PREFIX)/include/credstore/credstore.h $(PREFIX)/include/credstore/sign.h \
	     $(PREFIX)/include/linux/credstore.h \
	     $(foreach p,$(MAN_PAGES),$(call man_dest,$(p))) \
	     $(addprefix $(UNITDIR)/,credstored.service credstored.socket credstored-admin.socket) \
	     $(MODLOADDIR)/credstore.conf $(DATADIR)/credstore.yaml $(COMPLETIONDIR)/credctl \
	     $(OSSL_MODULESDIR)/credstore.so

# libcredstore.pc names the prefix: build it again when PREFIX changes.
$(BUILD)/lib/libcredstore.pc: $(BUILD)/install-prefix
$(BUILD)/install-prefix: FORCE
	@mkdir -p $(dir $@)
	@echo '$(PREFIX)' | cmp -s - $@ || echo '$(PREFIX)' > $@

.PHONY: install uninstall FORCE
install: install-lib $(BUILD)/bin/credstored $(BUILD)/bin/credctl $(BUILD)/bin/credstore-tlsproxy \
		$(BUILD)/bin/credstore-coapd $(BUILD)/bin/credstore-cgi $(BUILD)/lib/credstore-mosquitto.so
	install -D -m 0755 $(BUILD)/bin/credstored $(DESTDIR)$(SBINDIR)/credstored
	install -D -m 0755 $(BUILD)/bin/credctl $(DESTDIR)$(SBINDIR)/credctl
	install -D -m 0755 $(BUILD)/bin/credstore-tlsproxy $(DESTDIR)$(BINDIR)/credstore-tlsproxy
	install -D -m 0755 $(BUILD)/bin/credstore-coapd $(DESTDIR)$(SBINDIR)/credstore-coapd
	install -D -m 0644 $(BUILD)/lib/credstore-mosquitto.so $(DESTDIR)$(FRONTDIR)/credstore-mosquitto.so
	install -D -m 0755 $(BUILD)/bin/credstore-cgi $(DESTDIR)$(FRONTDIR)/credstore-cgi
	install -D -m 0644 dist/cgi.conf $(DESTDIR)$(DATADIR)/cgi.conf.example
	$(foreach p,$(MAN_PAGES),install -D -m 0644 $(p) $(DESTDIR)$(call man_dest,$(p)) &&) true
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/sbin/|$(SBINDIR)/|' dist/credstored.service > $(DESTDIR)$(UNITDIR)/credstored.service
	install -m 0644 dist/credstored.socket dist/credstored-admin.socket $(DESTDIR)$(UNITDIR)/
	install -D -m 0644 dist/modules-load.conf $(DESTDIR)$(MODLOADDIR)/credstore.conf
	install -D -m 0644 uapi/credstore.yaml $(DESTDIR)$(DATADIR)/credstore.yaml
	install -D -m 0644 dist/credctl.bash-completion $(DESTDIR)$(COMPLETIONDIR)/credctl
	$(foreach f,$(DKMS_SOURCES),install -D -m 0644 $(f) $(DESTDIR)$(DKMSDIR)/$(f) &&) true
	sed 's|@VERSION@|$(CREDSTORE_VERSION)|' dist/dkms.conf > $(DESTDIR)$(DKMSDIR)/dkms.conf

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	rm -rf $(DESTDIR)$(DKMSDIR)
	-rmdir $(DESTDIR)$(PREFIX)/include/credstore $(DESTDIR)$(DATADIR) $(DESTDIR)$(FRONTDIR) 2>/dev/null
