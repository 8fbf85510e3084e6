# make bench-admin: credstored's admin commands and daemon-mode queries
# at 1k, 10k and 100k devices, over its socket (bench/admin/admin.c).
PROGRAMS += $(BUILD)/bench/admin
$(eval $(call program,bench/admin,bench/admin/admin.c))

.PHONY: bench-admin
bench-admin: $(BUILD)/bench/admin $(BUILD)/bin/credstored
	$(BUILD)/bench/admin $(BUILD)/bin/credstored $(ROUNDS)
HELP += "make bench-admin  admin commands and daemon queries at 1k/10k/100k devices: p50, p99, RSS"
