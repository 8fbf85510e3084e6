# make bench-flash: the flash store's credential workload (bench/flash/flash.c).
PROGRAMS += $(BUILD)/bench/flash
$(eval $(call program,bench/flash,bench/flash/flash.c))

.PHONY: bench-flash
bench-flash: $(BUILD)/bench/flash
	$(BUILD)/bench/flash
HELP += "make bench-flash  the store on emulated NAND: bytes, erases, CPU and mount reads per update"
