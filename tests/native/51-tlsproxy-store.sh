#!/bin/bash
# credstore-tlsproxy on the store, natively: credstored in userspace mode
# (emulated flash, no module) answers libcredstore over NETLINK_USERSOCK;
# tests/tls/e2e-store.sh says what is checked.
. "$(dirname "$0")/credstored-env.bash"	# runs on in a network namespace of its own
ip link set lo up			# whose loopback starts down
. "$(dirname "$0")/../tls/e2e-store.sh"
finish
