# tests/attack/: editing store images like an attacker without the key
# (attack.h), and with it (insider.h), for the tests only: store-attack on
# image files, the same functions linked into the store's unit tests.
ATTACK_OBJ := $(call obj,tests/attack/attack.c tests/attack/malformed.c tests/attack/insider.c)
PROGRAMS += $(BUILD)/bin/store-attack
$(eval $(call program,bin/store-attack,tests/attack/store-attack.c,tests/attack/attack.c))
$(BUILD)/tests/test_store_bounds $(BUILD)/tests/test_store_tamper $(BUILD)/tests/test_store_pack \
$(BUILD)/tests/test_store_faults $(BUILD)/tests/test_store_bigtxn: $(ATTACK_OBJ)
$(BUILD)/obj/tests/%.o: CFLAGS += -Itests/attack
# fuzz_mount's seeds hold malformed commits (in the fuzz sub-make, BUILD is build/fuzz)
$(BUILD)/fuzz/fuzz_mount: $(ATTACK_OBJ)
