# credstore-mosquitto: a plugin for mosquitto 2.0 (tools/mosquitto/),
# built position-independent with libcredstore inside, exporting only
# mosquitto's plugin entry points.  The broker's functions it calls are
# resolved from the mosquitto binary when it loads the plugin.
MOSQ_PLUGIN_SRCS := tools/mosquitto/plugin.c tools/mosquitto/auth.c tools/mosquitto/sessions.c \
		    tools/mosquitto/store.c \
		    common/user.c
MOSQ_PLUGIN      := $(BUILD)/lib/credstore-mosquitto.so
PROGRAMS += $(MOSQ_PLUGIN)

$(BUILD)/pic/tools/%.o: CFLAGS += $(LIB_INC)
$(MOSQ_PLUGIN): $(patsubst %.c,$(BUILD)/pic/%.o,$(MOSQ_PLUGIN_SRCS) $(LIBCREDSTORE_SRCS)) \
		tools/mosquitto/plugin.map
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -shared -Wl,--version-script=tools/mosquitto/plugin.map \
		-o $@ $(filter %.o,$^) $(shell pkg-config --libs libnl-genl-3.0 libnl-3.0 libssl libcrypto)
