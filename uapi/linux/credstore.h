/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * credstore: the generic netlink family of credstore.ko.
 *
 * Family "credstore", version CREDSTORE_GENL_VERSION.  Every message is a
 * genlmsghdr followed by CREDSTORE_A_* attributes.  The family's netlink
 * spec is credstore.yaml (Documentation/netlink/specs format), from which
 * the module's policies and operations are generated.
 */
#ifndef _UAPI_LINUX_CREDSTORE_H
#define _UAPI_LINUX_CREDSTORE_H

#include <linux/types.h>

#define CREDSTORE_GENL_NAME		"credstore"
#define CREDSTORE_GENL_VERSION		1
#define CREDSTORE_MCGRP_NOTIFY		"notify"

/*
 * Sizes and limits of the ABI (the module's tables have their own: the
 * max_entries and max_bytes parameters).  Published records: credstore.ko
 * takes an identity with a chain of 1..%CREDSTORE_CHAIN_MAX bytes (and no
 * key: %CREDSTORE_KEY_MAX bounds credstored's own); an anchor with a certificate of
 * 1..%CREDSTORE_CHAIN_MAX; names and device ids of 1..*_MAX - 1
 * characters (a device id of ASCII letters, digits and . _ : @ -); a
 * device whose secrets are 1..%CREDSTORE_SECRET_MAX bytes, whose sub
 * fingerprint (or secret) comes with a master one, whose sub fingerprint
 * is not its master, and whose fingerprints no other device holds.
 * credstored refuses any change that breaks one of these, so that the
 * publisher is never refused for what an administrator did.
 */
#define CREDSTORE_NAME_MAX		64	/* identity / anchor name, with NUL */
#define CREDSTORE_DEVICE_ID_MAX		64	/* device id, with NUL */
#define CREDSTORE_FINGERPRINT_LEN	32	/* SHA-256 of the DER certificate */
#define CREDSTORE_SECRET_MAX		64	/* device secret, bytes */
#define CREDSTORE_CHAIN_MAX		32768	/* concatenated DER certificates */
#define CREDSTORE_KEY_MAX		8192	/* DER PKCS#8 private key */
#define CREDSTORE_HMAC_LEN		32	/* HMAC-SHA256 */
#define CREDSTORE_HMAC_MESSAGE_MAX	128	/* what VERIFY_HMAC signs */

/**
 * DOC: credstore commands
 *
 * Every request is strictly validated against the policy of its command
 * (the do and the dump of a command each have their own) and refused with
 * an extended ACK naming the attribute:
 *
 * - -EINVAL: an attribute the command does not take (a dump takes none),
 *   an unknown attribute type, an integer of the wrong size, a string
 *   not NUL-terminated within its limit, unknown flag bits, a nest
 *   without NLA_F_NESTED, an empty name, id, chain or secret, a
 *   device id with another character than letters, digits and . _ : @ -
 *   (ASCII), a missing required attribute (with NLMSGERR_ATTR_MISS_TYPE);
 * - -ERANGE: a binary attribute longer than its maximum or a fingerprint
 *   of another length than %CREDSTORE_FINGERPRINT_LEN, an integer out of
 *   its range (%CREDSTORE_A_KIND).
 *
 * Send requests with NLM_F_ACK and NETLINK_EXT_ACK enabled to read those
 * messages.  The genl header's reserved field must be 0.
 *
 * Replies carry the command of the request.  "Key" below means
 * %CREDSTORE_A_NAME for identities and anchors, %CREDSTORE_A_DEVICE_ID
 * for devices.  Lookups of a name or id that is not published fail with
 * -ENOENT.
 *
 * Dumps (NLM_F_DUMP, no attributes) send each entry of the tables exactly
 * once, one message per entry.  A dump reads the table set it started on,
 * even when a snapshot is committed meanwhile; if that set is changed in
 * place while the dump runs (PUBLISH_UPDATE, RETRACT), or must be given up
 * (more than the module's max_superseded sets are held by unfinished
 * dumps: the dump then goes on with the served set), a message of the
 * dump or its NLMSG_DONE carries NLM_F_DUMP_INTR: dump again.  So a user
 * who starts dumps and never reads them keeps at most max_superseded
 * (module parameter, default 1) superseded sets alive, each at most
 * max_bytes, besides the served set and a snapshot being built.  A message
 * of an identity or anchor dump can be as long as %CREDSTORE_CHAIN_MAX +
 * 128 bytes: read with a buffer at least that large (or MSG_PEEK first).
 */

/**
 * enum credstore_cmd - commands of the family
 *
 * @CREDSTORE_CMD_UNSPEC: never valid.
 *
 * Queries (any user):
 *
 * @CREDSTORE_CMD_GET_STATUS: request: nothing.  Reply:
 *	%CREDSTORE_A_GENERATION (the generation served, 0 before any
 *	publish), %CREDSTORE_A_STATUS_IDENTITIES, %CREDSTORE_A_STATUS_ANCHORS,
 *	%CREDSTORE_A_STATUS_DEVICES (u32 counts), %CREDSTORE_A_STATUS_BYTES
 *	(u32, memory the served tables account for),
 *	%CREDSTORE_A_STATUS_MAX_ENTRIES, %CREDSTORE_A_STATUS_MAX_BYTES (u32,
 *	the module's limits), %CREDSTORE_A_STATUS_PUBLISHER (u8, 1 while a
 *	publisher socket is attached, 0 when none: the module then keeps
 *	serving the last state published).
 * @CREDSTORE_CMD_GET_IDENTITY: request: %CREDSTORE_A_NAME.  Reply:
 *	%CREDSTORE_A_NAME, %CREDSTORE_A_CHAIN, %CREDSTORE_A_GENERATION.
 *	Dump: one message per identity with %CREDSTORE_A_NAME and
 *	%CREDSTORE_A_CHAIN.
 * @CREDSTORE_CMD_GET_ANCHOR: as GET_IDENTITY, for trust anchors
 *	(%CREDSTORE_A_CHAIN holds the anchor's DER certificate).
 * @CREDSTORE_CMD_GET_DEVICE: request: %CREDSTORE_A_DEVICE_ID.  Reply:
 *	%CREDSTORE_A_DEVICE_ID, %CREDSTORE_A_FLAGS, %CREDSTORE_A_MASTER_FP and
 *	%CREDSTORE_A_SUB_FP (each only if the device has one),
 *	%CREDSTORE_A_GENERATION; never secrets.  Dump: one message per
 *	device with the same attributes but %CREDSTORE_A_GENERATION.
 * @CREDSTORE_CMD_VERIFY_FINGERPRINT: request: %CREDSTORE_A_FINGERPRINT,
 *	optionally %CREDSTORE_A_DEVICE_ID.  With the id, the fingerprint is
 *	compared with that device's; without it, the device is looked up
 *	from the fingerprint alone (master and sub fingerprints are unique
 *	over all devices).  Reply: %CREDSTORE_A_MATCH (&enum credstore_match;
 *	an unknown device or fingerprint answers %CREDSTORE_MATCH_NONE, not
 *	an error) and, on a match, %CREDSTORE_A_DEVICE_ID.  A device with
 *	%CREDSTORE_DEVICE_F_SUB_DISABLED never matches on its sub.
 * @CREDSTORE_CMD_VERIFY_SECRET: request: %CREDSTORE_A_DEVICE_ID and
 *	%CREDSTORE_A_SECRET.  Reply: %CREDSTORE_A_MATCH and, on a match,
 *	%CREDSTORE_A_DEVICE_ID.  The secret is compared with the master and
 *	the sub secret in constant time: %CREDSTORE_SECRET_MAX bytes of each
 *	(zero-padded, crypto_memneq) with the lengths folded in, so the time
 *	tells neither the stored secrets' lengths nor whether they exist.
 *	Unknown device: %CREDSTORE_MATCH_NONE.  Sub rule as above.
 * @CREDSTORE_CMD_VERIFY_HMAC: request: %CREDSTORE_A_DEVICE_ID,
 *	%CREDSTORE_A_HMAC_MESSAGE and %CREDSTORE_A_HMAC.  Is the HMAC
 *	HMAC-SHA256(key = the device's master or sub secret, message)?  For
 *	devices that log in with a password derived from their secret and a
 *	timestamp, without the secret leaving the store.  Reply and sub rule
 *	as VERIFY_SECRET; both secrets are tried and compared in constant
 *	time whatever the outcome.
 *
 * A revoked device matches nothing; a device with
 * %CREDSTORE_DEVICE_F_NO_SUB never matches on a sub.  A verification
 * refused for the device's flags (not for a wrong credential) answers
 * %CREDSTORE_MATCH_NONE with the device's %CREDSTORE_A_DEVICE_ID and
 * %CREDSTORE_A_FLAGS.
 *
 * Privileged reads (-EPERM unless the request passes
 * netlink_capable(CAP_NET_ADMIN): the capability in the initial user
 * namespace, held both by the credentials that opened the socket and by
 * the sender; or the credentials that opened the socket have the
 * module's reader_gid among their groups, whoever sends):
 *
 * Command 7 was GET_IDENTITY_KEY: retired, never reused (the module holds
 * no private key: credstored keeps them and signs for the front ends; a
 * request for it gets -EOPNOTSUPP).
 * @CREDSTORE_CMD_GET_DEVICE_SECRETS: request: %CREDSTORE_A_DEVICE_ID.
 *	Reply: %CREDSTORE_A_DEVICE_ID, %CREDSTORE_A_FLAGS (a server holding
 *	the key must refuse what the flags forbid), %CREDSTORE_A_MASTER_SECRET
 *	and %CREDSTORE_A_SUB_SECRET (each only if the device has one).
 *
 * Publisher (GENL_ADMIN_PERM: netlink_capable(CAP_NET_ADMIN) as above;
 * one publisher socket at a
 * time: the first publisher command claims the module for its socket,
 * another socket gets -EBUSY until it closes; closing it drops a snapshot
 * in progress and keeps the served state).  Replies: an ACK, or an error
 * with an extended ACK message.  An update or retraction older than the
 * generation served is refused with -ESTALE; a snapshot may carry any
 * generation (it replaces everything: a store rolled back on purpose is
 * served as it is).  A publish that would exceed the module's
 * max_entries or max_bytes is refused with -ENOSPC.
 *
 * @CREDSTORE_CMD_PUBLISH_BEGIN: request: %CREDSTORE_A_GENERATION.  Starts
 *	an empty snapshot (dropping one in progress).
 * @CREDSTORE_CMD_PUBLISH_RECORDS: request: %CREDSTORE_A_RECORDS,
 *	optionally %CREDSTORE_A_GENERATION (must be the snapshot's).  Adds
 *	the records to the snapshot (a key already in it is replaced).
 *	-EINVAL without a snapshot begun.  All records of the message or
 *	none are added (also when memory runs out half-way: -ENOMEM).
 * @CREDSTORE_CMD_PUBLISH_COMMIT: request: optionally
 *	%CREDSTORE_A_GENERATION (must be the snapshot's).  Swaps the
 *	snapshot in atomically: a reader sees the old tables or the new ones,
 *	never a mix.  Notifies %CREDSTORE_KIND_SNAPSHOT once.  -ESTALE if an
 *	update or retraction was served since the snapshot began (it is not
 *	in the snapshot).
 * @CREDSTORE_CMD_PUBLISH_ABORT: request: nothing.  Drops the snapshot.
 * @CREDSTORE_CMD_PUBLISH_UPDATE: request: %CREDSTORE_A_GENERATION,
 *	%CREDSTORE_A_RECORDS.  Inserts or replaces each record in the served
 *	tables (no snapshot), all of them or none (-ENOMEM half-way leaves
 *	the tables as they were), then serves the generation.  Notifies once
 *	per record.
 * @CREDSTORE_CMD_RETRACT: request: %CREDSTORE_A_GENERATION,
 *	%CREDSTORE_A_KIND and the key (%CREDSTORE_A_NAME, or
 *	%CREDSTORE_A_DEVICE_ID for a device).  Removes that record from the
 *	served tables; -ENOENT if it is not there.  Notifies once.
 *
 * @CREDSTORE_CMD_NOTIFY: multicast on the group "notify", never a request:
 *	%CREDSTORE_A_KIND, %CREDSTORE_A_GENERATION, and for an identity or
 *	anchor %CREDSTORE_A_NAME, for a device %CREDSTORE_A_DEVICE_ID; for
 *	%CREDSTORE_KIND_SNAPSHOT no key (everything may have changed).
 *	%CREDSTORE_A_EVENT says what happened (absent: CHANGED; REMOVED
 *	after a retraction), and a device's notification carries its
 *	%CREDSTORE_A_FLAGS after the change: a front end closes the open
 *	sessions of a device whose flags carry %CREDSTORE_DEVICE_F_REVOKED.
 *	Sent after the change is visible to queries.
 *
 * Record encoding (PUBLISH_RECORDS, PUBLISH_UPDATE): %CREDSTORE_A_RECORDS
 * nests one or more %CREDSTORE_A_RECORD (a multi-attr), each a nest of
 * top-level attributes:
 *
 * - identity: %CREDSTORE_A_KIND = %CREDSTORE_KIND_IDENTITY,
 *   %CREDSTORE_A_NAME, %CREDSTORE_A_CHAIN (DER certificates, leaf first),
 *   both required, and never %CREDSTORE_A_KEY (refused by the policy:
 *   private keys never leave credstored);
 * - anchor: %CREDSTORE_A_KIND = %CREDSTORE_KIND_ANCHOR,
 *   %CREDSTORE_A_NAME, %CREDSTORE_A_CHAIN (the DER certificate), required;
 * - device: %CREDSTORE_A_KIND = %CREDSTORE_KIND_DEVICE,
 *   %CREDSTORE_A_DEVICE_ID (required), %CREDSTORE_A_MASTER_FP,
 *   %CREDSTORE_A_SUB_FP, %CREDSTORE_A_MASTER_SECRET,
 *   %CREDSTORE_A_SUB_SECRET, %CREDSTORE_A_FLAGS (each optional; a sub
 *   requires its master; flags default to 0).
 *
 * An attribute that does not belong to the record's kind is refused, and
 * so is a key or a fingerprint twice in one message, or a fingerprint
 * that another device already has.  Secrets are wiped from the request
 * once read.  A nest is at most 64 KiB (nla_len is 16 bits): a large snapshot takes many
 * PUBLISH_RECORDS messages (about 400 devices each).
 */
enum credstore_cmd {
	CREDSTORE_CMD_UNSPEC,
	CREDSTORE_CMD_GET_STATUS,
	CREDSTORE_CMD_GET_IDENTITY,
	CREDSTORE_CMD_GET_ANCHOR,
	CREDSTORE_CMD_GET_DEVICE,
	CREDSTORE_CMD_VERIFY_FINGERPRINT,
	CREDSTORE_CMD_VERIFY_SECRET,
	/* 7: GET_IDENTITY_KEY, retired */
	CREDSTORE_CMD_GET_DEVICE_SECRETS = 8,
	CREDSTORE_CMD_PUBLISH_BEGIN,
	CREDSTORE_CMD_PUBLISH_RECORDS,
	CREDSTORE_CMD_PUBLISH_COMMIT,
	CREDSTORE_CMD_PUBLISH_ABORT,
	CREDSTORE_CMD_PUBLISH_UPDATE,
	CREDSTORE_CMD_RETRACT,
	CREDSTORE_CMD_NOTIFY,
	CREDSTORE_CMD_VERIFY_HMAC,

	__CREDSTORE_CMD_MAX,
	CREDSTORE_CMD_MAX = __CREDSTORE_CMD_MAX - 1
};

/**
 * enum credstore_attr - top-level attributes
 *
 * @CREDSTORE_A_GENERATION: u64, the store generation (only grows).
 * @CREDSTORE_A_KIND: u8, &enum credstore_kind (IDENTITY, ANCHOR or DEVICE
 *	in requests).
 * @CREDSTORE_A_NAME: NUL-terminated string, 1..%CREDSTORE_NAME_MAX - 1
 *	characters.
 * @CREDSTORE_A_DEVICE_ID: NUL-terminated string, 1..%CREDSTORE_DEVICE_ID_MAX
 *	- 1 characters, each an ASCII letter or digit or one of . _ : @ -
 * @CREDSTORE_A_FINGERPRINT: binary, exactly %CREDSTORE_FINGERPRINT_LEN.
 * @CREDSTORE_A_SECRET: binary, 1..%CREDSTORE_SECRET_MAX bytes.
 * @CREDSTORE_A_MATCH: u8, &enum credstore_match.
 * @CREDSTORE_A_CHAIN: binary, 1..%CREDSTORE_CHAIN_MAX bytes, concatenated
 *	DER certificates, leaf first.
 * @CREDSTORE_A_KEY: binary, 1..%CREDSTORE_KEY_MAX bytes, DER PKCS#8: in
 *	credstored's store and admin protocol only, never in the module's
 *	records or replies.
 * @CREDSTORE_A_MASTER_FP, @CREDSTORE_A_SUB_FP: binary, exactly
 *	%CREDSTORE_FINGERPRINT_LEN.
 * @CREDSTORE_A_MASTER_SECRET, @CREDSTORE_A_SUB_SECRET: binary,
 *	1..%CREDSTORE_SECRET_MAX bytes.
 * @CREDSTORE_A_FLAGS: u32, &enum credstore_device_flags; unknown bits are
 *	refused.
 * @CREDSTORE_A_RECORDS: nested: %CREDSTORE_A_RECORD entries, nothing else.
 * @CREDSTORE_A_RECORD: nested: %CREDSTORE_A_KIND and the record's fields
 *	(see "Record encoding" above).
 * @CREDSTORE_A_STATUS_IDENTITIES, @CREDSTORE_A_STATUS_ANCHORS,
 *	@CREDSTORE_A_STATUS_DEVICES: u32 counts of the served tables.
 * @CREDSTORE_A_STATUS_PUBLISHER: u8, 1 if a publisher is attached.
 * @CREDSTORE_A_STATUS_MAX_ENTRIES, @CREDSTORE_A_STATUS_MAX_BYTES: u32,
 *	the module's limits (module parameters max_entries, max_bytes).
 * @CREDSTORE_A_STATUS_BYTES: u32, bytes the served tables account for.
 * @CREDSTORE_A_HMAC_MESSAGE: binary, 1..%CREDSTORE_HMAC_MESSAGE_MAX bytes:
 *	what the device signed (VERIFY_HMAC).
 * @CREDSTORE_A_HMAC: binary, exactly %CREDSTORE_HMAC_LEN (VERIFY_HMAC).
 * @CREDSTORE_A_PAD: padding for 64-bit attributes.
 */
enum credstore_attr {
	CREDSTORE_A_UNSPEC,
	CREDSTORE_A_PAD,
	CREDSTORE_A_GENERATION,
	CREDSTORE_A_KIND,
	CREDSTORE_A_NAME,
	CREDSTORE_A_DEVICE_ID,
	CREDSTORE_A_FINGERPRINT,
	CREDSTORE_A_SECRET,
	CREDSTORE_A_MATCH,
	CREDSTORE_A_CHAIN,
	CREDSTORE_A_KEY,
	CREDSTORE_A_MASTER_FP,
	CREDSTORE_A_SUB_FP,
	CREDSTORE_A_MASTER_SECRET,
	CREDSTORE_A_SUB_SECRET,
	CREDSTORE_A_FLAGS,
	CREDSTORE_A_RECORDS,
	CREDSTORE_A_RECORD,
	CREDSTORE_A_STATUS_IDENTITIES,
	CREDSTORE_A_STATUS_ANCHORS,
	CREDSTORE_A_STATUS_DEVICES,
	CREDSTORE_A_STATUS_PUBLISHER,
	CREDSTORE_A_STATUS_MAX_ENTRIES,
	CREDSTORE_A_STATUS_MAX_BYTES,
	CREDSTORE_A_STATUS_BYTES,
	CREDSTORE_A_HMAC_MESSAGE,
	CREDSTORE_A_HMAC,

	/* Notifications (the module's and the daemon's). */
	CREDSTORE_A_EVENT,		/* u8: enum credstore_event_type */
	CREDSTORE_A_NOT_AFTER,		/* u64: a certificate's notAfter, Unix seconds */

	__CREDSTORE_A_MAX,
	CREDSTORE_A_MAX = __CREDSTORE_A_MAX - 1
};

/* What a record, a notification or a retraction is about. */
enum credstore_kind {
	CREDSTORE_KIND_UNSPEC,
	CREDSTORE_KIND_IDENTITY,
	CREDSTORE_KIND_ANCHOR,
	CREDSTORE_KIND_DEVICE,
	CREDSTORE_KIND_SNAPSHOT,	/* notifications only: a whole new state */

	__CREDSTORE_KIND_MAX,
	CREDSTORE_KIND_MAX = __CREDSTORE_KIND_MAX - 1
};

/* The answer of a verification. */
enum credstore_match {
	CREDSTORE_MATCH_NONE,
	CREDSTORE_MATCH_MASTER,
	CREDSTORE_MATCH_SUB,
};

/* Device flags.  A device refused because of them (REVOKED; a sub under
 * SUB_DISABLED or NO_SUB) answers a verification with
 * %CREDSTORE_MATCH_NONE and, so that a front end can say why, its
 * %CREDSTORE_A_DEVICE_ID and %CREDSTORE_A_FLAGS. */
enum credstore_device_flags {
	CREDSTORE_DEVICE_F_SUB_DISABLED = 1U << 0,	/* the sub never matches */
	CREDSTORE_DEVICE_F_REVOKED = 1U << 1,		/* nothing matches; kept in the store */
	CREDSTORE_DEVICE_F_NO_SUB = 1U << 2,		/* profile no-sub: never a sub */

	CREDSTORE_DEVICE_F_ALL = CREDSTORE_DEVICE_F_SUB_DISABLED | CREDSTORE_DEVICE_F_REVOKED |
				 CREDSTORE_DEVICE_F_NO_SUB,
};

/* What a notification says happened (%CREDSTORE_A_EVENT; absent means
 * CHANGED).  EXPIRING and EXPIRED come from credstored alone, once a day
 * per certificate within its warning threshold, with
 * %CREDSTORE_A_NOT_AFTER. */
enum credstore_event_type {
	CREDSTORE_EVENT_CHANGED,	/* added or replaced */
	CREDSTORE_EVENT_REMOVED,
	CREDSTORE_EVENT_EXPIRING,
	CREDSTORE_EVENT_EXPIRED,
};

#endif /* _UAPI_LINUX_CREDSTORE_H */
