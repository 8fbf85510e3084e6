# make bench-flash: the flash store's credential workload (bench/flash/flash.c).
PROGRAMS += $(BUILD)/bench/flash
$(eval $(call program,bench/flash,bench/flash/flash.c))

.PHONY: bench-flash
bench-flash: $(BUILD)/bench/flash
	$(BUILD)/bench/flash
HELP += "make bench-flash  the store on emulated NAND: bytes, erases, CPU and mount reads per update"

# make bench-flash-compare REV=main: the same beside another revision's
# (a previous format version), alternate runs, medians and ratios.
.PHONY: bench-flash-compare
bench-flash-compare:
	bench/flash/compare.sh $(or $(REV),main)
HELP += "make bench-flash-compare REV=R  bench-flash beside revision R's, as ratios"
