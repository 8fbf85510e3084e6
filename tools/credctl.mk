# credctl, the administrator's tool for credstored.
CREDCTL_SRCS := tools/credctl.c tools/batch_file.c tools/credctl_out.c tools/credctl_input.c tools/credctl_identity.c \
		tools/credctl_anchor.c tools/credctl_device.c tools/credctl_store.c
PROGRAMS += $(BUILD)/bin/credctl
$(eval $(call program,bin/credctl,tools/credctl_main.c,$(CREDCTL_SRCS)))
