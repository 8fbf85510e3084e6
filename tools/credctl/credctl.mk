# credctl, the administrator's tool for credstored.  Its files in layer
# order, each calling only those before it (tests/native/63-call-graph.sh):
# the output (and usage errors), the plumbing (credctl.c: talking to
# credstored), the input from the command line, batch files, the groups
# of subcommands, `watch` (on the identities' files), their table, main.
CREDCTL_SRCS := tools/credctl/credctl_out.c tools/credctl/credctl.c tools/credctl/credctl_input.c \
		tools/credctl/batch_file.c tools/credctl/credctl_identity.c tools/credctl/credctl_watch.c \
		tools/credctl/credctl_anchor.c tools/credctl/credctl_device.c \
		tools/credctl/credctl_store.c tools/credctl/credctl_expiring.c \
		tools/credctl/credctl_groups.c
PROGRAMS += $(BUILD)/bin/credctl
$(eval $(call program,bin/credctl,tools/credctl/credctl_main.c,$(CREDCTL_SRCS)))
