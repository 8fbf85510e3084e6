# common/: what the daemon, credctl and libcredstore share: errors with
# messages, SHA-256 fingerprints, the OpenSSL helpers (pki), the wire
# transport between credstored and its clients, the backup file format.
COMMON_SRCS += common/error.c common/fingerprint.c common/pki.c common/usersock.c \
	       common/number.c common/user.c
