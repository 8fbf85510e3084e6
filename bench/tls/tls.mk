# make bench-tls: the proxy's handshakes per second on the store next to
# the same proxy on PEM files, in one run, as a ratio (bench/tls/run).
$(eval $(call program,bench/tls-bench-client,bench/tls/client.c))

.PHONY: bench-tls
bench-tls: $(BUILD)/bench/tls-bench-client $(BUILD)/bin/credstore-tlsproxy \
	   $(BUILD)/tests/tls/tls-backend $(BUILD)/bin/credstored $(BUILD)/bin/credctl
	BUILD=$(CURDIR)/$(BUILD) bench/tls/run
HELP += "make bench-tls    the TLS front end's handshakes on the store against PEM files"
