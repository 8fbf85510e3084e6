# Transactions larger than a segment, written in parts (store_txn_parts.c).
DAEMON_SRCS += daemon/store_txn_parts.c
