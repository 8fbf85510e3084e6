# make bench-flash: the flash store's credential workload (issue 3).
PROGRAMS += $(BUILD)/bench/flash
$(eval $(call program,bench/flash,bench/flash.c))

.PHONY: bench-flash
bench-flash: $(BUILD)/bench/flash
	$(BUILD)/bench/flash
