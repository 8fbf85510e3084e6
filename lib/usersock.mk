# The NETLINK_USERSOCK transport and the OpenSSL helpers of credstored,
# credctl and libcredstore.
LIB_SRCS += lib/usersock.c
LIB_SRCS += lib/pki.c
