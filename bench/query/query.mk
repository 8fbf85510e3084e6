# make bench-query: one VM boot; VERIFY_FINGERPRINT and GET_IDENTITY round
# trips against nlctrl's CTRL_CMD_GETFAMILY, with 1k and 100k devices.
.PHONY: bench-query
bench-query: $(BUILD)/bin/csnl
	@$(MAKE) -s module >/dev/null
	@tests/vm/run bench/query/vm-bench.sh | sed -n 's/^bench-query: //p; /^not ok/p'
HELP += "make bench-query  netlink round trips to credstore.ko against nlctrl, in the VM"
