# store/: the log-structured store engine on a struct flash (FORMAT.md is
# every byte it writes).  No daemon code: the benchmark and the unit tests
# use it alone.  zlib gives CRC-32, liblz4 the compression of payloads,
# OpenSSL the seals and MACs.
# Its files in layer order: each calls only those before it (store_int.h
# says what each holds; tests/native/63-call-graph.sh fails on a circle).
STORE_SRCS += store/store_layout.c store/seal.c store/store_mac.c store/store_mem.c \
	      store/store_event.c store/store_chain.c store/store_index.c store/store_apply.c \
	      store/store_parts.c store/store_segment.c store/store_pack.c store/store_log.c \
	      store/store_scan.c store/store_gc.c store/store_txn.c store/store_rollback.c \
	      store/store_commit.c store/store_mount.c store/store_query.c
LDLIBS += -lz -llz4

# storecheck: the store over any flash, natively and in the VM on nandsim.
PROGRAMS += $(BUILD)/bin/storecheck
$(eval $(call program,bin/storecheck,tests/flash/storecheck.c))

.PHONY: store
store: $(STORE_A) $(filter $(BUILD)/tests/test_store% $(BUILD)/tests/test_flash% $(BUILD)/tests/test_seal,$(UNIT_TESTS))
HELP += "make store        the store engine alone (build/libstore.a) and its unit tests"
