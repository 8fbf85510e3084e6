# make bench-tls: handshakes per second with the key in the process next
# to keyless ones signed by credstored (the proxy, and nginx through the
# provider), in one run, as ratios (bench/tls/run).
$(eval $(call program,bench/tls-bench-client,bench/tls/client.c))
PROGRAMS += $(BUILD)/bench/tls-bench-client	# also the load of 58-provider-servers

.PHONY: bench-tls
bench-tls: $(BUILD)/bench/tls-bench-client $(BUILD)/bin/credstore-tlsproxy \
	   $(BUILD)/tests/tls/tls-backend $(BUILD)/bin/credstored $(BUILD)/bin/credctl \
	   $(PROVIDER_MODULE)
	BUILD=$(CURDIR)/$(BUILD) bench/tls/run
	BUILD=$(CURDIR)/$(BUILD) LAYOUT=spread bench/tls/run
HELP += "make bench-tls    TLS handshakes: keyless (credstored signs) against the key in the process"
