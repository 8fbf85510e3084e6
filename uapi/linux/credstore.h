/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * credstore: the generic netlink ABI shared by credstore.ko, credstored,
 * libcredstore and credctl.
 *
 * Family "credstore", version CREDSTORE_GENL_VERSION.  Every message is a
 * genlmsghdr followed by CREDSTORE_A_* attributes.  The same encoding is
 * spoken by credstored on its AF_UNIX sockets (queries, when the module is
 * absent, and the admin commands), with nlmsg_type CREDSTORE_USERSOCK_TYPE.
 */
#ifndef _UAPI_LINUX_CREDSTORE_H
#define _UAPI_LINUX_CREDSTORE_H

#include <linux/types.h>

#define CREDSTORE_GENL_NAME		"credstore"
#define CREDSTORE_GENL_VERSION		1
#define CREDSTORE_MCGRP_NOTIFY		"notify"

/* credstored's sockets: the nlmsg_type of their messages. */
#define CREDSTORE_USERSOCK_TYPE		0x0043
#define CREDSTORE_USERSOCK_DUMP_PAGE	128	/* entries per dump request */

/* Sizes and limits of the ABI (the module's tables have their own). */
#define CREDSTORE_NAME_MAX		64	/* identity / anchor name, with NUL */
#define CREDSTORE_DEVICE_ID_MAX		64	/* device id, with NUL */
#define CREDSTORE_FINGERPRINT_LEN	32	/* SHA-256 of the DER certificate */
#define CREDSTORE_SECRET_MAX		64	/* device secret, bytes */
#define CREDSTORE_CHAIN_MAX		32768	/* concatenated DER certificates */
#define CREDSTORE_KEY_MAX		8192	/* DER PKCS#8 private key */
#define CREDSTORE_MESSAGE_MAX		256	/* text of a daemon error */
#define CREDSTORE_HMAC_LEN		32	/* HMAC-SHA256 */
#define CREDSTORE_HMAC_MESSAGE_MAX	128	/* what VERIFY_HMAC signs */
#define CREDSTORE_SIGN_DATA_MAX		4096	/* what SIGN signs (digest or message) */
#define CREDSTORE_SIGNATURE_MAX		1024	/* a signature (RSA-8192: 1024 bytes) */

/**
 * DOC: credstore commands
 *
 * Every request is strictly validated against the policy of its command:
 * an attribute the command does not take, a wrong type or length, or a
 * value out of range is refused with -EINVAL and an extended ACK naming
 * the attribute; a missing required attribute is refused with -EINVAL
 * and NLMSGERR_ATTR_MISS_TYPE.  Send requests with NLM_F_ACK and
 * NETLINK_EXT_ACK enabled to read those messages.  Nested attributes must
 * carry NLA_F_NESTED (libnl's nla_nest_start() sets it), and the genl
 * header's reserved field must be 0.
 *
 * Replies carry the command of the request.  "Key" below means
 * %CREDSTORE_A_NAME for identities and anchors, %CREDSTORE_A_DEVICE_ID
 * for devices.  Lookups of a name or id that is not published fail with
 * -ENOENT.
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
 *	With NLM_F_DUMP (no attributes): one message per identity with
 *	%CREDSTORE_A_NAME and %CREDSTORE_A_CHAIN, paged.
 * @CREDSTORE_CMD_GET_ANCHOR: as GET_IDENTITY, for trust anchors
 *	(%CREDSTORE_A_CHAIN holds the anchor's DER certificate).
 * @CREDSTORE_CMD_GET_DEVICE: request: %CREDSTORE_A_DEVICE_ID.  Reply:
 *	%CREDSTORE_A_DEVICE_ID, %CREDSTORE_A_FLAGS, %CREDSTORE_A_MASTER_FP and
 *	%CREDSTORE_A_SUB_FP (each only if the device has one),
 *	%CREDSTORE_A_GENERATION; never secrets.  With NLM_F_DUMP (no
 *	attributes): one message per device, paged (100k devices and more).
 *	A dump whose tables change while it runs sets NLM_F_DUMP_INTR.
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
 *	%CREDSTORE_A_DEVICE_ID.  Compared in constant time (crypto_memneq);
 *	unknown device: %CREDSTORE_MATCH_NONE.  Sub rule as above.
 * @CREDSTORE_CMD_VERIFY_HMAC: request: %CREDSTORE_A_DEVICE_ID,
 *	%CREDSTORE_A_HMAC_MESSAGE and %CREDSTORE_A_HMAC.  Is the HMAC
 *	HMAC-SHA256(key = the device's master or sub secret, message)?  For
 *	devices that log in with a password derived from their secret and a
 *	timestamp, without the secret leaving the store.  Reply and sub rule
 *	as VERIFY_SECRET; both secrets are tried and compared in constant
 *	time whatever the outcome.
 *
 * Privileged reads (CAP_NET_ADMIN, or membership of the module's
 * reader_gid, both of the credentials that opened the socket; -EPERM
 * otherwise):
 *
 * @CREDSTORE_CMD_GET_IDENTITY_KEY: request: %CREDSTORE_A_NAME.  Reply:
 *	%CREDSTORE_A_NAME, %CREDSTORE_A_KEY.
 * @CREDSTORE_CMD_GET_DEVICE_SECRETS: request: %CREDSTORE_A_DEVICE_ID.
 *	Reply: %CREDSTORE_A_DEVICE_ID, %CREDSTORE_A_FLAGS (a server holding
 *	the key must refuse what the flags forbid), %CREDSTORE_A_MASTER_SECRET
 *	and %CREDSTORE_A_SUB_SECRET (each only if the device has one).
 *
 * Publisher (CAP_NET_ADMIN via GENL_ADMIN_PERM; one publisher socket at a
 * time: the first publisher command claims the module for its socket,
 * another socket gets -EBUSY until it closes; closing it drops a snapshot
 * in progress and keeps the served state).  Replies: an ACK, or an error
 * with an extended ACK message.  A generation older than the one served
 * is refused with -ESTALE; a publish that would exceed the module's
 * max_entries or max_bytes with -ENOSPC.
 *
 * @CREDSTORE_CMD_PUBLISH_BEGIN: request: %CREDSTORE_A_GENERATION.  Starts
 *	an empty snapshot (dropping one in progress).
 * @CREDSTORE_CMD_PUBLISH_RECORDS: request: %CREDSTORE_A_RECORDS,
 *	optionally %CREDSTORE_A_GENERATION (must be the snapshot's).  Adds
 *	the records to the snapshot (a key already in it is replaced).
 *	-EINVAL without a snapshot begun.  All records of the message or
 *	none are added.
 * @CREDSTORE_CMD_PUBLISH_COMMIT: request: optionally
 *	%CREDSTORE_A_GENERATION (must be the snapshot's).  Swaps the
 *	snapshot in atomically: a reader sees the old tables or the new ones,
 *	never a mix.  Notifies %CREDSTORE_KIND_SNAPSHOT once.
 * @CREDSTORE_CMD_PUBLISH_ABORT: request: nothing.  Drops the snapshot.
 * @CREDSTORE_CMD_PUBLISH_UPDATE: request: %CREDSTORE_A_GENERATION,
 *	%CREDSTORE_A_RECORDS.  Inserts or replaces each record in the served
 *	tables (no snapshot), then serves the generation.  Notifies once per
 *	record.
 * @CREDSTORE_CMD_RETRACT: request: %CREDSTORE_A_GENERATION,
 *	%CREDSTORE_A_KIND and the key (%CREDSTORE_A_NAME, or
 *	%CREDSTORE_A_DEVICE_ID for a device).  Removes that record from the
 *	served tables; -ENOENT if it is not there.  Notifies once.
 *
 * @CREDSTORE_CMD_NOTIFY: multicast on the group "notify", never a request:
 *	%CREDSTORE_A_KIND, %CREDSTORE_A_GENERATION, and for an identity or
 *	anchor %CREDSTORE_A_NAME, for a device %CREDSTORE_A_DEVICE_ID; for
 *	%CREDSTORE_KIND_SNAPSHOT no key (everything may have changed).
 *	Sent after the change is visible to queries.
 *
 * Record encoding (PUBLISH_RECORDS, PUBLISH_UPDATE): %CREDSTORE_A_RECORDS
 * nests any number of %CREDSTORE_A_RECORD, each a nest of top-level
 * attributes:
 *
 * - identity: %CREDSTORE_A_KIND = %CREDSTORE_KIND_IDENTITY,
 *   %CREDSTORE_A_NAME, %CREDSTORE_A_CHAIN (DER certificates, leaf first),
 *   %CREDSTORE_A_KEY (DER PKCS#8), all required;
 * - anchor: %CREDSTORE_A_KIND = %CREDSTORE_KIND_ANCHOR,
 *   %CREDSTORE_A_NAME, %CREDSTORE_A_CHAIN (the DER certificate), required;
 * - device: %CREDSTORE_A_KIND = %CREDSTORE_KIND_DEVICE,
 *   %CREDSTORE_A_DEVICE_ID (required), %CREDSTORE_A_MASTER_FP,
 *   %CREDSTORE_A_SUB_FP, %CREDSTORE_A_MASTER_SECRET,
 *   %CREDSTORE_A_SUB_SECRET, %CREDSTORE_A_FLAGS (each optional; a sub
 *   requires its master; flags default to 0).
 *
 * An attribute that does not belong to the record's kind is refused.  A
 * nest is at most 64 KiB (nla_len is 16 bits): a large snapshot takes many
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
	CREDSTORE_CMD_GET_IDENTITY_KEY,
	CREDSTORE_CMD_GET_DEVICE_SECRETS,
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
 * enum credstore_admin_cmd - commands of credstored's sockets
 *
 * Spoken on credstored's sockets only, never to the module; numbered apart
 * from &enum credstore_cmd so that one dispatcher serves both.  The
 * sockets are AF_UNIX %SOCK_SEQPACKET in the daemon's runtime directory
 * (/run/credstore by default): "admin" (mode 0660, group = the admin group)
 * serves every command; "query" (mode 0666) serves the queries, the
 * privileged reads and SUBSCRIBE.  Every request is authorised from the
 * connection's peer credentials (SO_PEERCRED): admin commands and
 * privileged reads are for root and the admin group.  Replies carry
 * %CREDSTORE_A_MESSAGE on error.
 *
 * Framing (queries and admin commands alike), one message per datagram:
 *  - before it sends anything, a client checks that the listening socket
 *    belongs to root or to the daemon's uid (SO_PEERCRED): anyone may
 *    bind the name in a runtime directory they can write to.
 *  - request: nlmsghdr (type %CREDSTORE_USERSOCK_TYPE, NLM_F_REQUEST, plus
 *    NLM_F_DUMP for a dump; seq chosen by the client, not 0), genlmsghdr
 *    (cmd, version %CREDSTORE_GENL_VERSION), then CREDSTORE_A_* attributes.
 *    A datagram that is not such a request closes the connection.
 *  - reply: same type, same seq and cmd, flags 0.
 *  - error: a reply with %CREDSTORE_A_ERRNO (positive errno) and
 *    %CREDSTORE_A_MESSAGE (one sentence for a person).  It may also end a
 *    dump.  An error with seq 0 is about the connection (too many
 *    connections of one uid, answers not read): the daemon closes it.
 *  - dump: replies with NLM_F_MULTI, one entry each, then NLMSG_DONE.  A
 *    dump answers at most %CREDSTORE_USERSOCK_DUMP_PAGE entries; to read on,
 *    the client asks again with the key of the last entry received
 *    (%CREDSTORE_A_NAME or %CREDSTORE_A_DEVICE_ID): entries after it follow.
 *  - answers in parts: BATCH answers with NLM_F_MULTI parts, then
 *    the reply proper (also NLM_F_MULTI, with %CREDSTORE_A_GENERATION),
 *    then NLMSG_DONE; a refusal is the error alone.  Data larger than one
 *    attribute (a backup) travels as several attributes of the same type,
 *    in order, one per part on the way back.
 *  - changes: a connection that sent SUBSCRIBE receives
 *    %CREDSTORE_CMD_NOTIFY (seq 0) after every committed change, as the
 *    module sends them on "notify", before the change is acknowledged.
 *    When the subscriber does not read and its socket is full, events are
 *    dropped and one NOTIFY of kind %CREDSTORE_KIND_SNAPSHOT, queued after
 *    everything it did read, says that anything may have changed.
 *
 * @CREDSTORE_ADMIN_CMD_IDENTITY_CSR: %CREDSTORE_A_NAME, optional
 *	%CREDSTORE_A_ADMIN_KEY_TYPE and %CREDSTORE_A_ADMIN_SUBJECT: the daemon
 *	makes a key, keeps it, answers %CREDSTORE_A_ADMIN_CSR (PEM).
 * @CREDSTORE_ADMIN_CMD_IDENTITY_INSTALL: %CREDSTORE_A_NAME,
 *	%CREDSTORE_A_ADMIN_PEM (chain, leaf first, PEM or DER), optional
 *	%CREDSTORE_A_ADMIN_KEY_PEM (+ %CREDSTORE_A_ADMIN_PASSWORD; without it,
 *	the key of the last CSR), optional %CREDSTORE_A_ADMIN_ANCHOR.
 * @CREDSTORE_ADMIN_CMD_IDENTITY_REMOVE: %CREDSTORE_A_NAME (OK when absent).
 * @CREDSTORE_ADMIN_CMD_ANCHOR_ADD: %CREDSTORE_A_NAME, %CREDSTORE_A_ADMIN_PEM.
 * @CREDSTORE_ADMIN_CMD_ANCHOR_REMOVE: %CREDSTORE_A_NAME.
 * @CREDSTORE_ADMIN_CMD_DEVICE_ADD: %CREDSTORE_A_DEVICE_ID, optional
 *	%CREDSTORE_A_FINGERPRINT and %CREDSTORE_A_SECRET (or
 *	%CREDSTORE_A_ADMIN_GENERATE: the reply carries %CREDSTORE_A_SECRET).
 * @CREDSTORE_ADMIN_CMD_DEVICE_RESET_FINGERPRINT /
 * @CREDSTORE_ADMIN_CMD_DEVICE_RESET_SECRET: the new value becomes the sub,
 *	or the master with %CREDSTORE_A_ADMIN_MASTER.
 * @CREDSTORE_ADMIN_CMD_DEVICE_PROMOTE, @CREDSTORE_ADMIN_CMD_DEVICE_DROP_SUB,
 * @CREDSTORE_ADMIN_CMD_DEVICE_REMOVE: %CREDSTORE_A_DEVICE_ID.
 * @CREDSTORE_ADMIN_CMD_DEVICE_SET_FLAGS: %CREDSTORE_A_DEVICE_ID,
 *	%CREDSTORE_A_FLAGS: the bits to set, or to clear with
 *	%CREDSTORE_A_ADMIN_CLEAR (others keep their value).
 * @CREDSTORE_ADMIN_CMD_STORE_STATUS: answers %CREDSTORE_A_ADMIN_STORE.
 * @CREDSTORE_ADMIN_CMD_STORE_ACCEPT_ROLLBACK: nothing: after a rollback
 *	was detected (changes refused), binds the store as it is to the
 *	rollback counter and takes changes again; answers
 *	%CREDSTORE_A_GENERATION.
 * @CREDSTORE_ADMIN_CMD_FACTORY_RESET, @CREDSTORE_ADMIN_CMD_RESET_DEVICES.
 * @CREDSTORE_ADMIN_CMD_EXPORT: a dump (NLM_F_DUMP) with
 *	%CREDSTORE_A_ADMIN_PASSWORD (8 characters or more): the sealed backup
 *	(scrypt, AES-256-GCM; format in daemon/backup_seal.h) streamed in
 *	parts, each one %CREDSTORE_A_ADMIN_BLOB: the header, then each sealed
 *	chunk; the file is their concatenation.
 * @CREDSTORE_ADMIN_CMD_IMPORT_BEGIN: %CREDSTORE_A_ADMIN_PASSWORD and the
 *	backup's header as %CREDSTORE_A_ADMIN_BLOB: starts an import owned by
 *	the connection (EBUSY while another connection's import is staged).
 * @CREDSTORE_ADMIN_CMD_IMPORT_CHUNK: the next sealed chunk, whole, as
 *	%CREDSTORE_A_ADMIN_BLOB: opened, checked and staged; a refusal ends
 *	the import.
 * @CREDSTORE_ADMIN_CMD_IMPORT: after the last chunk: the staged records
 *	replace every credential, in one transaction.
 * @CREDSTORE_ADMIN_CMD_BATCH: %CREDSTORE_A_ADMIN_REQUEST nests, each with
 *	%CREDSTORE_A_ADMIN_CMD and that command's attributes: one transaction
 *	(one store commit: all or nothing, also across a power cut).  Each
 *	operation answers in a part of its own, in order, carrying
 *	%CREDSTORE_A_ADMIN_CMD and what the command alone would answer.  The
 *	error of a failing operation names it ("batch operation N ...").
 * @CREDSTORE_ADMIN_CMD_SUBSCRIBE: no attributes, open to every user: the
 *	connection receives change notifications from then on, and may send
 *	nothing else.
 * @CREDSTORE_ADMIN_CMD_IDENTITY_EXPORT_KEY: %CREDSTORE_A_NAME: answers
 *	%CREDSTORE_A_KEY (DER PKCS#8), the explicit backup path of a key
 *	(root or the admin group only; logged).
 */
enum credstore_admin_cmd {
	CREDSTORE_ADMIN_CMD_IDENTITY_CSR = 64,
	CREDSTORE_ADMIN_CMD_IDENTITY_INSTALL,
	CREDSTORE_ADMIN_CMD_IDENTITY_REMOVE,
	CREDSTORE_ADMIN_CMD_ANCHOR_ADD,
	CREDSTORE_ADMIN_CMD_ANCHOR_REMOVE,
	CREDSTORE_ADMIN_CMD_DEVICE_ADD,
	CREDSTORE_ADMIN_CMD_DEVICE_RESET_FINGERPRINT,
	CREDSTORE_ADMIN_CMD_DEVICE_RESET_SECRET,
	CREDSTORE_ADMIN_CMD_DEVICE_PROMOTE,
	CREDSTORE_ADMIN_CMD_DEVICE_DROP_SUB,
	CREDSTORE_ADMIN_CMD_DEVICE_SET_FLAGS,
	CREDSTORE_ADMIN_CMD_DEVICE_REMOVE,
	CREDSTORE_ADMIN_CMD_STORE_STATUS,
	CREDSTORE_ADMIN_CMD_FACTORY_RESET,
	CREDSTORE_ADMIN_CMD_RESET_DEVICES,
	CREDSTORE_ADMIN_CMD_EXPORT,
	CREDSTORE_ADMIN_CMD_IMPORT,
	CREDSTORE_ADMIN_CMD_BATCH,
	CREDSTORE_ADMIN_CMD_IMPORT_BEGIN,
	CREDSTORE_ADMIN_CMD_IMPORT_CHUNK,
	CREDSTORE_ADMIN_CMD_SUBSCRIBE,
	CREDSTORE_ADMIN_CMD_STORE_ACCEPT_ROLLBACK,
	CREDSTORE_ADMIN_CMD_IDENTITY_EXPORT_KEY,

	__CREDSTORE_ADMIN_CMD_MAX,
	CREDSTORE_ADMIN_CMD_MAX = __CREDSTORE_ADMIN_CMD_MAX - 1
};

/**
 * enum credstore_daemon_cmd - queries that only credstored answers
 *
 * On the daemon's query port, open to every user like the queries of
 * &enum credstore_cmd; the module never answers them.
 *
 * @CREDSTORE_DAEMON_CMD_SIGN: request:
 *	%CREDSTORE_A_NAME, %CREDSTORE_A_SIGN_KEY_ID (SHA-256 of the key's
 *	DER SubjectPublicKeyInfo: the daemon signs only with that key),
 *	%CREDSTORE_A_SIGN_SCHEME (&enum credstore_sign_scheme),
 *	%CREDSTORE_A_SIGN_DATA (the digest, or the message for Ed25519),
 *	%CREDSTORE_A_SIGN_DIGEST (its hash, e.g. "SHA256"; not for Ed25519),
 *	optional %CREDSTORE_A_SIGN_SALT_LEN (PSS; default: the digest's
 *	length).  Answers %CREDSTORE_A_SIGNATURE.  Allowed to root and to
 *	the identity's signer group (%CREDSTORE_A_SIGNERS), from the
 *	caller's credentials; EPERM otherwise.  ENOENT: no such identity;
 *	ENOKEY: the identity holds neither as its key nor as its previous
 *	key (the one it had before the last install) the key named;
 *	EOPNOTSUPP: a scheme or digest the key cannot sign with.
 */
enum credstore_daemon_cmd {
	CREDSTORE_DAEMON_CMD_SIGN = 96,

	__CREDSTORE_DAEMON_CMD_MAX,
	CREDSTORE_DAEMON_CMD_MAX = __CREDSTORE_DAEMON_CMD_MAX - 1
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
 *	- 1 characters.
 * @CREDSTORE_A_FINGERPRINT: binary, exactly %CREDSTORE_FINGERPRINT_LEN.
 * @CREDSTORE_A_SECRET: binary, 1..%CREDSTORE_SECRET_MAX bytes.
 * @CREDSTORE_A_MATCH: u8, &enum credstore_match.
 * @CREDSTORE_A_CHAIN: binary, 1..%CREDSTORE_CHAIN_MAX bytes, concatenated
 *	DER certificates, leaf first.
 * @CREDSTORE_A_KEY: binary, 1..%CREDSTORE_KEY_MAX bytes, DER PKCS#8.
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
 * @CREDSTORE_A_MESSAGE: string, a human-readable error (userspace mode).
 * @CREDSTORE_A_ERRNO: u32, a positive errno (userspace mode).
 * @CREDSTORE_A_PAD: padding for 64-bit attributes.
 * @CREDSTORE_A_ADMIN_*: attributes of the admin commands only.
 * @CREDSTORE_A_HMAC_MESSAGE: binary, 1..%CREDSTORE_HMAC_MESSAGE_MAX bytes:
 *	what the device signed (VERIFY_HMAC).
 * @CREDSTORE_A_HMAC: binary, exactly %CREDSTORE_HMAC_LEN (VERIFY_HMAC).
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
	CREDSTORE_A_MESSAGE,
	CREDSTORE_A_ERRNO,

	/* Admin port only. */
	CREDSTORE_A_ADMIN_KEY_TYPE,	/* string: "ec-p256", "rsa2048", "rsa3072" */
	CREDSTORE_A_ADMIN_SUBJECT,	/* string: CSR subject, "/CN=..." */
	CREDSTORE_A_ADMIN_CSR,		/* binary: PEM CSR */
	CREDSTORE_A_ADMIN_PEM,		/* binary: PEM input (chain, key) */
	CREDSTORE_A_ADMIN_PASSWORD,	/* string: key or backup passphrase */
	CREDSTORE_A_ADMIN_ANCHOR,	/* string: anchor the chain must reach */
	CREDSTORE_A_ADMIN_MASTER,	/* flag: replace the master, not the sub */
	CREDSTORE_A_ADMIN_GENERATE,	/* flag: the daemon makes the secret */
	CREDSTORE_A_ADMIN_BLOB,		/* binary: sealed backup, in pieces */
	CREDSTORE_A_ADMIN_STORE,	/* nested: store status (see daemon) */
	CREDSTORE_A_ADMIN_CMD,		/* u8: a command inside a batch */
	CREDSTORE_A_ADMIN_REQUEST,	/* nested: one command of a batch */
	CREDSTORE_A_ADMIN_KEY_PEM,	/* binary: PEM or DER private key input */
	CREDSTORE_A_ADMIN_PENDING_KEY,	/* binary: DER key of a CSR (store only) */
	CREDSTORE_A_ADMIN_CLEAR,	/* flag: SET_FLAGS clears the bits given */

	/* Queries again (appended: the numbers above are in the flash format). */
	CREDSTORE_A_HMAC_MESSAGE,
	CREDSTORE_A_HMAC,

	/* Daemon only: signing and who may sign. */
	CREDSTORE_A_SIGNERS,		/* u32: the gid that may sign with an identity */
	CREDSTORE_A_SIGN_SCHEME,	/* u8: enum credstore_sign_scheme */
	CREDSTORE_A_SIGN_DIGEST,	/* string: the digest's hash ("SHA256") */
	CREDSTORE_A_SIGN_KEY_ID,	/* binary: SHA-256 of the DER SubjectPublicKeyInfo */
	CREDSTORE_A_SIGN_SALT_LEN,	/* u32: PSS salt length in bytes */
	CREDSTORE_A_SIGN_DATA,		/* binary: digest (or message) to sign */
	CREDSTORE_A_SIGNATURE,		/* binary: the answer of SIGN */
	CREDSTORE_A_ADMIN_PREVIOUS_KEY,	/* binary: DER key replaced by the last install (store only) */

	__CREDSTORE_A_MAX,
	CREDSTORE_A_MAX = __CREDSTORE_A_MAX - 1
};

/* Inside %CREDSTORE_A_ADMIN_STORE (admin port only): the store's figures. */
enum credstore_admin_store_attr {
	CREDSTORE_A_STORE_UNSPEC,
	CREDSTORE_A_STORE_PAD,
	CREDSTORE_A_STORE_GENERATION,		/* u64 */
	CREDSTORE_A_STORE_IDENTITIES,		/* u32 counts and limits */
	CREDSTORE_A_STORE_ANCHORS,
	CREDSTORE_A_STORE_DEVICES,
	CREDSTORE_A_STORE_MAX_IDENTITIES,
	CREDSTORE_A_STORE_MAX_ANCHORS,
	CREDSTORE_A_STORE_MAX_DEVICES,
	CREDSTORE_A_STORE_LIVE_BYTES,		/* u64 */
	CREDSTORE_A_STORE_FREE_BYTES,		/* u64 */
	CREDSTORE_A_STORE_BLOCKS,		/* u32: eraseblocks */
	CREDSTORE_A_STORE_BLOCK_SIZE,		/* u32: bytes */
	CREDSTORE_A_STORE_BAD_BLOCKS,		/* u32 */
	CREDSTORE_A_STORE_ERASE_MIN,		/* u32: erase counts */
	CREDSTORE_A_STORE_ERASE_MAX,
	CREDSTORE_A_STORE_PUBLISHER,		/* u8: feeding credstore.ko */
	CREDSTORE_A_STORE_SCRUBS,		/* u64: since mount: blocks rewritten after bit flips */
	CREDSTORE_A_STORE_RELOCATIONS,		/* u64: segments moved off failing blocks */
	CREDSTORE_A_STORE_LOST_COMMITS,		/* u64: unreadable at mount */
	CREDSTORE_A_STORE_TAMPERED,		/* u64: sealed secrets that failed to open,
						 * headers and commits found tampered at mount */
	CREDSTORE_A_STORE_ROLLBACK,		/* u8: &enum credstore_rollback */
	CREDSTORE_A_STORE_COUNTER,		/* u64: the rollback counter's value */
	CREDSTORE_A_STORE_COUNTER_EXPECTED,	/* u64: the value the store goes with */
	CREDSTORE_A_STORE_ROLLBACK_REASON,	/* string: why changes are refused, or
						 * the counter lags */

	__CREDSTORE_A_STORE_MAX,
	CREDSTORE_A_STORE_MAX = __CREDSTORE_A_STORE_MAX - 1
};

/* The store and its rollback counter (%CREDSTORE_A_STORE_ROLLBACK). */
enum credstore_rollback {
	CREDSTORE_ROLLBACK_OFF,		/* no counter */
	CREDSTORE_ROLLBACK_OK,
	CREDSTORE_ROLLBACK_DETECTED,	/* older than the counter: changes refused */
	CREDSTORE_ROLLBACK_UNBOUND,	/* never bound to it: changes refused */
	CREDSTORE_ROLLBACK_UNAVAILABLE,	/* the counter cannot be read: changes refused */
	CREDSTORE_ROLLBACK_LAGGING,	/* not advanced after a commit */

	__CREDSTORE_ROLLBACK_MAX,
	CREDSTORE_ROLLBACK_MAX = __CREDSTORE_ROLLBACK_MAX - 1
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

/* How SIGN signs (CREDSTORE_A_SIGN_SCHEME). */
enum credstore_sign_scheme {
	CREDSTORE_SIGN_UNSPEC,
	CREDSTORE_SIGN_ECDSA,		/* DER ECDSA-Sig-Value over the digest */
	CREDSTORE_SIGN_RSA_PKCS1,	/* RSASSA-PKCS1-v1_5 over the digest */
	CREDSTORE_SIGN_RSA_PSS,		/* RSASSA-PSS, MGF1 with the digest's hash */
	CREDSTORE_SIGN_ED25519,		/* PureEdDSA over the message */

	__CREDSTORE_SIGN_MAX,
	CREDSTORE_SIGN_MAX = __CREDSTORE_SIGN_MAX - 1
};

/* The answer of a verification. */
enum credstore_match {
	CREDSTORE_MATCH_NONE,
	CREDSTORE_MATCH_MASTER,
	CREDSTORE_MATCH_SUB,
};

/* Device flags. */
enum credstore_device_flags {
	CREDSTORE_DEVICE_F_SUB_DISABLED = 1U << 0,	/* the sub never matches */

	CREDSTORE_DEVICE_F_ALL = CREDSTORE_DEVICE_F_SUB_DISABLED,
};

#endif /* _UAPI_LINUX_CREDSTORE_H */
