LIB_SRCS += lib/fingerprint.c
