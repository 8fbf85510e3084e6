# daemon/: credstored.  The data model (model_*), the admin commands
# (admin_*, backup_*), the query server, the publisher to credstore.ko,
# the socket server and its dispatch (server.c, commands.c).
DAEMON_SRCS += daemon/model.c daemon/model_attrs.c daemon/model_identity.c \
	       daemon/model_anchor.c daemon/model_device.c daemon/model_index.c \
	       daemon/model_crl.c
DAEMON_SRCS += daemon/log.c daemon/notify.c daemon/server.c daemon/commands.c \
	       daemon/query.c daemon/admin_identity.c daemon/admin_anchor.c \
	       daemon/admin_device.c daemon/admin_store.c daemon/admin_export.c \
	       daemon/admin_import.c daemon/backup_records.c daemon/backup_seal.c \
	       daemon/admin_batch.c daemon/cert_policy.c daemon/expiry.c
DAEMON_SRCS += daemon/publisher.c daemon/keyfile.c daemon/flash_log.c
PROGRAMS += $(BUILD)/bin/credstored
$(eval $(call program,bin/credstored,daemon/credstored.c))
