/* Every subcommand, by group: the table main reads the command line
 * against and `store batch` looks its commands up in (struct ctl). */
#include <stddef.h>

#include "credctl.h"

const struct subcmd *const ctl_groups[] = {
	identity_cmds, anchor_cmds, device_cmds, store_cmds, expiring_cmds, watch_cmds, NULL
};
