LIB_SRCS += lib/fingerprint.c
LIB_SRCS += lib/error.c
