# common/: what the daemon, credctl and libcredstore share: errors with
# messages, SHA-256 fingerprints, the OpenSSL helpers (pki), the messages
# of credstored's sockets and their client (usersock), which of their
# commands change nothing (cmd_kind), the kernel's refusal sentences
# (ext_ack), the backup file format, a hash table (hashtab: the daemon's
# device index and coapd's key cache).
COMMON_SRCS += common/error.c common/fingerprint.c common/pki.c common/usersock.c common/cmd_kind.c \
	       common/user.c common/number.c common/ext_ack.c common/hashtab.c
