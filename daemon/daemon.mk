# daemon/: credstored.  Its files in layer order, each calling only those
# before it (tests/native/63-call-graph.sh fails on a circle):
#   log, keyfile, conn, flash_log      the daemon's log, its store key, client connections
#                                      (bounded queues), flash events
#   model_attrs, model_rules < model_identity, model_anchor, model_device < device_index
#     < model_index < model < model_crl
#                                      the data model: records as attribute streams, what
#                                      credstore.ko accepts of them, the committed devices
#                                      by id and fingerprint
#   sign_keys                          parsed signing keys, dropped when a change names them
#   notify, publisher < remount        change notices to subscribers (and the daily expiry
#                                      ones); the records published
#                                      to credstore.ko; the store mounted again after an
#                                      I/O error
#   backup_records, backup_seal        the backup format
#   command_io < cert_policy < query, sign, admin_*
#                                      the commands: the request's attributes, the
#                                      answer, what a certificate must be
#   expiry                             the daily expiry check
#   commands                           the table of commands (and the batch, which runs them)
#   server < listen, loop < credstored requests on the sockets; the sockets and the event
#                                      loop; main
DAEMON_SRCS += daemon/log.c daemon/keyfile.c daemon/conn.c daemon/flash_log.c
DAEMON_SRCS += daemon/model_attrs.c daemon/model_rules.c daemon/model_identity.c \
	       daemon/model_anchor.c daemon/model_device.c daemon/device_index.c \
	       daemon/model_index.c daemon/model.c daemon/model_crl.c daemon/sign_keys.c
DAEMON_SRCS += daemon/notify.c daemon/publisher.c daemon/remount.c daemon/backup_records.c \
	       daemon/backup_seal.c
DAEMON_SRCS += daemon/command_io.c daemon/cert_policy.c daemon/query.c daemon/sign.c \
	       daemon/admin_identity.c \
	       daemon/admin_anchor.c daemon/admin_device.c daemon/admin_store.c \
	       daemon/admin_export.c daemon/admin_import.c daemon/expiry.c daemon/commands.c \
	       daemon/server.c daemon/listen.c daemon/loop.c
PROGRAMS += $(BUILD)/bin/credstored
$(eval $(call program,bin/credstored,daemon/credstored.c))
