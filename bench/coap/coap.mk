# make bench-coap: CoAP DTLS handshakes per second with credstore-coapd's
# PSK lookup in the store next to a fixed PSK, in one run, as a ratio.
$(eval $(call program,bench/coap-bench-client,bench/coap/client.c))
$(BUILD)/bench/coap-bench-client: LDLIBS += $(shell pkg-config --libs libcoap-3-openssl)
$(BUILD)/obj/bench/coap/%.o: CFLAGS += $(shell pkg-config --cflags libcoap-3-openssl)

.PHONY: bench-coap
bench-coap: $(BUILD)/bench/coap-bench-client $(BUILD)/bin/credstore-coapd \
	    $(BUILD)/bin/credstored $(BUILD)/bin/credctl
	BUILD=$(CURDIR)/$(BUILD) bench/coap/run
HELP += "make bench-coap   CoAP DTLS handshakes/s with the store's PSK against a fixed one"
