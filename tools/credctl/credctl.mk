# credctl, the administrator's tool for credstored.
CREDCTL_SRCS := tools/credctl/credctl.c tools/credctl/batch_file.c tools/credctl/credctl_out.c tools/credctl/credctl_input.c tools/credctl/credctl_identity.c \
		tools/credctl/credctl_anchor.c tools/credctl/credctl_device.c tools/credctl/credctl_store.c \
		tools/credctl/credctl_expiring.c
PROGRAMS += $(BUILD)/bin/credctl
$(eval $(call program,bin/credctl,tools/credctl/credctl_main.c,$(CREDCTL_SRCS)))
