# make soak [DURATION=seconds]: tests/soak.sh, natively (not part of make test).
DURATION ?= 120
.PHONY: soak
soak: userspace
	DURATION=$(DURATION) BUILD=$(CURDIR)/$(BUILD) timeout $$(( $(DURATION) + 600 )) tests/soak.sh
HELP += "make soak         kills and restarts under load for DURATION (120) seconds"
