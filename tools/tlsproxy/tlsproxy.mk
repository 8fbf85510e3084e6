# credstore-tlsproxy: the reference TLS front end (tools/tlsproxy/).  Its
# files call one way (tests/native/63-call-graph.sh): main calls relay and
# source, source calls pins, and every one proxy.c (log, clock, epoll).
TLSPROXY_SRCS := tools/tlsproxy/relay.c tools/tlsproxy/source.c tools/tlsproxy/pins.c \
		 tools/tlsproxy/proxy.c
$(eval $(call program,bin/credstore-tlsproxy,tools/tlsproxy/main.c,$(TLSPROXY_SRCS)))
PROGRAMS += $(BUILD)/bin/credstore-tlsproxy

# The plaintext backend of the TLS tests and of bench-tls.
$(eval $(call program,tests/tls/tls-backend,tests/tls/backend.c))
PROGRAMS += $(BUILD)/tests/tls/tls-backend
