# make bench-hostile: root's admin latency with and without hostile local
# clients (connections that never read, garbage), side by side in one run
# (bench/hostile/run).  The same program checks that everything is
# answered in tests/native/69-hostile-clients.sh.
$(eval $(call program,bench/hostile,bench/hostile/hostile.c))
PROGRAMS += $(BUILD)/bench/hostile

.PHONY: bench-hostile
bench-hostile: $(BUILD)/bench/hostile $(BUILD)/bin/credstored $(BUILD)/bin/credctl
	@BUILD=$(CURDIR)/$(BUILD) bench/hostile/run
HELP += "make bench-hostile  admin latency with and without hostile local clients (ratio)"
