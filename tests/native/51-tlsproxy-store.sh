#!/bin/bash
# credstore-tlsproxy on the store, natively: credstored in userspace mode
# (emulated flash, no module) answers libcredstore on its query socket;
# tests/tls/e2e-store.sh says what is checked.
. "$(dirname "$0")/credstored-env.bash"
. "$(dirname "$0")/../tls/e2e-store.sh"
finish
