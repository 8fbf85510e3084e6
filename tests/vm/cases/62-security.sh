# The security test of tests/native/68-security.sh with credstored on
# nandsim and credstore.ko loaded (publishing): nobody is refused every
# privileged command, secrets stay out of logs and errors, no core dumps,
# a fake daemon of another user gets nothing.  The module's own
# refusals (keys, secrets, publishing) are case 32 and nlfuzz (case 60).
# vm-nandsim: id_bytes=0x20,0xaa,0x00,0x15 parts=64
# vm-timeout: 600
DAEMON_ARGS="--mtd /dev/mtd0"
. "$REPO/tests/native/68-security.sh"
