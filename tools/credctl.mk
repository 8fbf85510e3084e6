# credctl, the administrator's tool for credstored.
CREDCTL_SRCS := tools/credctl_out.c tools/credctl_input.c tools/credctl_identity.c \
		tools/credctl_anchor.c tools/credctl_device.c tools/credctl_store.c
PROGRAMS += $(BUILD)/bin/credctl
$(eval $(call program,bin/credctl,tools/credctl.c,$(CREDCTL_SRCS)))
