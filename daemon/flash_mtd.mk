# The libmtd flash backend and its conformance test (flashcheck runs over
# any struct flash: natively on the emulated flash, in the VM on nandsim
# and mtdram through libmtd).
DAEMON_SRCS += daemon/flash_mtd.c
PROGRAMS    += $(BUILD)/bin/flashcheck
$(eval $(call program,bin/flashcheck,tests/flash/flashcheck.c))
PROGRAMS    += $(BUILD)/bin/storecheck
$(eval $(call program,bin/storecheck,tests/flash/storecheck.c))
