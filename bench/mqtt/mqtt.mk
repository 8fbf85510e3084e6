# make bench-mqtt: MQTT connects per second through credstore-mosquitto
# next to mosquitto's own password file, in one run, as a ratio.
$(eval $(call program,bench/mqtt-bench-client,bench/mqtt/client.c))
$(BUILD)/bench/mqtt-bench-client: LDLIBS += -lmosquitto -lpthread

.PHONY: bench-mqtt
bench-mqtt: $(BUILD)/bench/mqtt-bench-client $(BUILD)/lib/credstore-mosquitto.so \
	    $(BUILD)/bin/credstored $(BUILD)/bin/credctl
	BUILD=$(CURDIR)/$(BUILD) bench/mqtt/run
HELP += "make bench-mqtt   MQTT connects/s through the plugin against a password file"
