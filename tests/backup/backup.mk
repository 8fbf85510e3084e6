# tests/backup/: backups credstored's own export never writes, crafted for
# the tests (twin_backup.h): twin-backup writes one to a file for the VM
# tier, the same function is linked into the unit test of the admin socket.
TWIN_BACKUP_OBJ := $(call obj,tests/backup/twin_backup.c)
PROGRAMS += $(BUILD)/bin/twin-backup
$(eval $(call program,bin/twin-backup,tests/backup/twin-backup.c,tests/backup/twin_backup.c))
$(BUILD)/tests/test_usersock_query: $(TWIN_BACKUP_OBJ)
$(BUILD)/obj/tests/%.o: CFLAGS += -Itests/backup
