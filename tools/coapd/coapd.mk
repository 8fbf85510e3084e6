# credstore-coapd: CoAP over DTLS with the store's pre-shared keys
# (tools/coapd/), on Debian's libcoap3 built with OpenSSL.
COAPD_SRCS := tools/coapd/psk.c tools/coapd/resources.c tools/coapd/handshakes.c \
	      tools/coapd/keycache.c tools/coapd/events.c \
	      tools/coapd/store.c tools/coapd/sessions.c tools/coapd/pki.c
COAP_PKG   := libcoap-3-openssl
$(eval $(call program,bin/credstore-coapd,tools/coapd/main.c,$(COAPD_SRCS)))
PROGRAMS += $(BUILD)/bin/credstore-coapd
$(BUILD)/bin/credstore-coapd: LDLIBS += $(shell pkg-config --libs $(COAP_PKG))
$(BUILD)/obj/tools/coapd/%.o: CFLAGS += $(shell pkg-config --cflags $(COAP_PKG))
# The key cache's unit test links the cache alone (it needs no libcoap);
# the cache comes after the archives there, and needs common's hash table.
$(BUILD)/tests/test_coapd_keycache: $(call obj,tools/coapd/keycache.c)
$(BUILD)/tests/test_coapd_keycache: LDLIBS := $(COMMON_A) $(LDLIBS)
