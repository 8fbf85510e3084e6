# credstore-tlsproxy on credstore.ko: credstored on nandsim publishes to
# the module, libcredstore asks the kernel family and hears its "notify"
# group; tests/tls/e2e-store.sh says what is checked (real clients, master
# and sub admitted, strangers refused, rotation without a refusal, the
# server identity replaced under an open connection).
# vm-nandsim: id_bytes=0x20,0xaa,0x00,0x15 parts=64
# vm-timeout: 600
DAEMON_ARGS="--mtd /dev/mtd0"
. "$REPO/tests/native/credstored-env.bash"
ip link set lo up	# the guest's loopback starts down
TLS_EXPECT_SOURCE=credstore.ko
. "$REPO/tests/tls/e2e-store.sh"
finish
