# credstore-tlsproxy: the reference TLS front end (tools/tlsproxy/).
TLSPROXY_SRCS := tools/tlsproxy/relay.c tools/tlsproxy/source.c tools/tlsproxy/pins.c \
		 tools/tlsproxy/log.c
$(eval $(call program,bin/credstore-tlsproxy,tools/tlsproxy/main.c,$(TLSPROXY_SRCS)))
PROGRAMS += $(BUILD)/bin/credstore-tlsproxy

# The plaintext backend of the TLS tests and of bench-tls.
$(eval $(call program,tests/tls/tls-backend,tests/tls/backend.c))
PROGRAMS += $(BUILD)/tests/tls/tls-backend
