# The libcredstore consumer (tests/tls/consumer.c) built in tree: the
# daemon's notification test subscribes with it.
$(eval $(call program,tests/credstore-consumer,tests/tls/consumer.c))
PROGRAMS += $(BUILD)/tests/credstore-consumer
