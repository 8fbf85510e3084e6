# The demo, inside the VM: what is there so far.  (Issue 5/7 grows this into
# the full walk-through: CA, identity, devices, proxy, rotation.)
# vm-nandsim: id_bytes=0x20,0xaa,0x00,0x15
# vm-timeout: 120
echo "demo: the VM runs Debian's kernel $(uname -r) under qemu (TCG)."
echo "demo: nandsim gives a NAND flash chip:"
mtdinfo /dev/mtd0 | sed -n 's/^/demo:   /; /Name\|Type\|Eraseblock size\|Minimum input\|Sub-page\|Amount/p'
echo "demo: credstore.ko is loaded and its generic netlink family is up:"
genl-ctrl-list | grep credstore | sed 's/^/demo:   /'
echo "demo: the daemon, the TLS proxy and the rotation walk-through come with issues 2/7 to 5/7."
