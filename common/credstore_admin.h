/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * credstored's own protocol, spoken by credstored, credctl and libcredstore
 * (never by credstore.ko): the kernel family's messages of
 * <linux/credstore.h> (queries, answered by the daemon when the module is
 * absent) plus the admin commands and attributes below.  They are numbered
 * from CREDSTORE_ADMIN_BASE, above anything the kernel family uses, so that
 * the family can grow without renumbering them.
 *
 * The same encoding travels on credstored's AF_UNIX sockets, with
 * nlmsg_type CREDSTORE_USERSOCK_TYPE.
 */
#ifndef CREDSTORE_ADMIN_H
#define CREDSTORE_ADMIN_H

#include <linux/credstore.h>
#include <credstore/sign.h>

#define CREDSTORE_ADMIN_BASE		64

/* credstored's sockets: the nlmsg_type of their messages. */
#define CREDSTORE_USERSOCK_TYPE		0x0043
#define CREDSTORE_USERSOCK_DUMP_PAGE	128	/* entries per dump request */

/* The text of a daemon error, with its NUL (libcredstore's public header
 * gives the same value under the same name, for its callers' buffers). */
#define CREDSTORE_MESSAGE_MAX		256

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
 *	%CREDSTORE_A_ADMIN_KEY_TYPE, %CREDSTORE_A_ADMIN_SUBJECT and
 *	%CREDSTORE_A_ADMIN_SAN: the daemon makes a key, keeps it, answers
 *	%CREDSTORE_A_ADMIN_CSR (PEM).
 * @CREDSTORE_ADMIN_CMD_IDENTITY_INSTALL: %CREDSTORE_A_NAME,
 *	%CREDSTORE_A_ADMIN_PEM (chain, leaf first, PEM or DER), optional
 *	%CREDSTORE_A_ADMIN_KEY_PEM (+ %CREDSTORE_A_ADMIN_PASSWORD; without it,
 *	the key of the last CSR), or instead of both %CREDSTORE_A_ADMIN_PKCS12
 *	(+ %CREDSTORE_A_ADMIN_PASSWORD); optional %CREDSTORE_A_ADMIN_ANCHOR
 *	(the chain must reach that anchor; without it, any stored anchor)
 *	or %CREDSTORE_A_ADMIN_NO_ANCHOR_CHECK.
 * @CREDSTORE_ADMIN_CMD_IDENTITY_REMOVE: %CREDSTORE_A_NAME (OK when absent).
 * @CREDSTORE_ADMIN_CMD_ANCHOR_ADD: %CREDSTORE_A_NAME, %CREDSTORE_A_ADMIN_PEM.
 * @CREDSTORE_ADMIN_CMD_ANCHOR_REMOVE: %CREDSTORE_A_NAME.
 * @CREDSTORE_ADMIN_CMD_DEVICE_ADD: %CREDSTORE_A_DEVICE_ID, optional
 *	%CREDSTORE_A_FINGERPRINT or the certificate (%CREDSTORE_A_ADMIN_PEM:
 *	its fingerprint, and its notAfter is kept), %CREDSTORE_A_SECRET (or
 *	%CREDSTORE_A_ADMIN_GENERATE: the reply carries %CREDSTORE_A_SECRET),
 *	%CREDSTORE_A_FLAGS (NO_SUB only: the profile).
 * @CREDSTORE_ADMIN_CMD_DEVICE_RESET_FINGERPRINT /
 * @CREDSTORE_ADMIN_CMD_DEVICE_RESET_SECRET: the new value becomes the sub,
 *	or the master with %CREDSTORE_A_ADMIN_MASTER or under profile no-sub;
 *	refused into a disabled sub.
 *
 * Commands that take a certificate answer %CREDSTORE_A_ADMIN_WARNING when
 * it expires within the daemon's warning threshold; credstored's
 * GET_DEVICE answers carry %CREDSTORE_A_MASTER_NOT_AFTER and
 * %CREDSTORE_A_SUB_NOT_AFTER where a certificate gave the fingerprint, its
 * GET_ANCHOR answers the CRL's %CREDSTORE_A_CRL_LEN,
 * %CREDSTORE_A_CRL_ENTRIES and dates when the anchor has one.
 * @CREDSTORE_ADMIN_CMD_DEVICE_PROMOTE, @CREDSTORE_ADMIN_CMD_DEVICE_DROP_SUB,
 * @CREDSTORE_ADMIN_CMD_DEVICE_REMOVE: %CREDSTORE_A_DEVICE_ID.
 * @CREDSTORE_ADMIN_CMD_DEVICE_SET_FLAGS: %CREDSTORE_A_DEVICE_ID,
 *	%CREDSTORE_A_FLAGS: the bits to set, or to clear with
 *	%CREDSTORE_A_ADMIN_CLEAR (others keep their value).  REVOKED is
 *	`device revoke` / `reinstate`; NO_SUB (profile no-sub) is refused
 *	while the device has a sub; SUB_DISABLED is refused under NO_SUB.
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
 * @CREDSTORE_ADMIN_CMD_ANCHOR_REPLACE: as ANCHOR_ADD, for a name that
 *	exists (ANCHOR_ADD refuses one).  The anchor's CRL stays if the new
 *	certificate verifies it, else it is dropped.
 * @CREDSTORE_ADMIN_CMD_ANCHOR_CRL: %CREDSTORE_A_NAME and the CRL (PEM or
 *	DER) as one or more %CREDSTORE_A_ADMIN_BLOB, in order (a CRL may be
 *	several MiB, an attribute at most 64 KiB); no blob removes the CRL.
 *	The CRL must be signed by the anchor and not older than the one it
 *	replaces; it replaces it atomically.  Not batchable.
 * @CREDSTORE_ADMIN_CMD_GET_CRL: a query (any user): %CREDSTORE_A_NAME and
 *	%CREDSTORE_A_CRL_PART (0 first).  Reply: %CREDSTORE_A_NAME,
 *	%CREDSTORE_A_CRL_PART, %CREDSTORE_A_CRL_PARTS, %CREDSTORE_A_CRL_LEN,
 *	%CREDSTORE_A_CRL_THIS_UPDATE, %CREDSTORE_A_GENERATION and the part's
 *	bytes as %CREDSTORE_A_ADMIN_BLOB; the DER CRL is the parts'
 *	concatenation (read again from part 0 if its length or thisUpdate
 *	changes meanwhile: another CRL replaced it).  -ENOENT: no such anchor
 *	or no CRL.
 */
enum credstore_admin_cmd {
	CREDSTORE_ADMIN_CMD_IDENTITY_CSR = CREDSTORE_ADMIN_BASE,
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
	CREDSTORE_ADMIN_CMD_ANCHOR_REPLACE,
	CREDSTORE_ADMIN_CMD_ANCHOR_CRL,
	CREDSTORE_ADMIN_CMD_GET_CRL,

	__CREDSTORE_ADMIN_CMD_MAX,
	CREDSTORE_ADMIN_CMD_MAX = __CREDSTORE_ADMIN_CMD_MAX - 1
};

/**
 * enum credstore_daemon_cmd - queries that only credstored answers
 *
 * On the daemon's query socket, open to every user like the queries of
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
 * enum credstore_admin_attr - attributes of the daemon's protocol only
 *
 * @CREDSTORE_A_MESSAGE: string, a human-readable error.
 * @CREDSTORE_A_ERRNO: u32, a positive errno.
 * @CREDSTORE_A_ADMIN_*: attributes of the admin commands.
 */
enum credstore_admin_attr {
	CREDSTORE_A_MESSAGE = CREDSTORE_ADMIN_BASE,
	CREDSTORE_A_ERRNO,
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
	CREDSTORE_A_ADMIN_CLEAR,	/* flag: SET_FLAGS clears the bits given */

	/* Daemon only: signing and who may sign. */
	CREDSTORE_A_SIGNERS,		/* u32: the gid that may sign with an identity */
	CREDSTORE_A_SIGN_SCHEME,	/* u8: enum credstore_sign_scheme */
	CREDSTORE_A_SIGN_DIGEST,	/* string: the digest's hash ("SHA256") */
	CREDSTORE_A_SIGN_KEY_ID,	/* binary: SHA-256 of the DER SubjectPublicKeyInfo */
	CREDSTORE_A_SIGN_SALT_LEN,	/* u32: PSS salt length in bytes */
	CREDSTORE_A_SIGN_DATA,		/* binary: digest (or message) to sign */
	CREDSTORE_A_SIGNATURE,		/* binary: the answer of SIGN */
	CREDSTORE_A_ADMIN_PREVIOUS_KEY,	/* binary: DER key replaced by the last install (store only) */

	/* The lifecycle: a device certificate's end (in the device record
	 * and credstored's answers), CSR SANs, PKCS#12, warnings, CRLs. */
	CREDSTORE_A_MASTER_NOT_AFTER,	/* u64: of the master certificate, Unix seconds */
	CREDSTORE_A_SUB_NOT_AFTER,	/* u64: of the sub certificate */
	CREDSTORE_A_ADMIN_SAN,		/* string: CSR subjectAltName, "DNS:a,IP:1.2.3.4" */
	CREDSTORE_A_ADMIN_PKCS12,	/* binary: a PKCS#12 file (with ADMIN_PASSWORD) */
	CREDSTORE_A_ADMIN_NO_ANCHOR_CHECK, /* flag: the chain need not reach an anchor */
	CREDSTORE_A_ADMIN_WARNING,	/* string: the reply's warning (expires soon) */
	CREDSTORE_A_CRL_LEN,		/* u32: bytes of an anchor's CRL (DER) */
	CREDSTORE_A_CRL_ENTRIES,	/* u32: certificates the CRL revokes */
	CREDSTORE_A_CRL_THIS_UPDATE,	/* u64: the CRL's thisUpdate, Unix seconds */
	CREDSTORE_A_CRL_NEXT_UPDATE,	/* u64: its nextUpdate (absent: none) */
	CREDSTORE_A_CRL_PART,		/* u32: GET_CRL: the part asked for / sent */
	CREDSTORE_A_CRL_PARTS,		/* u32: GET_CRL: how many parts the CRL has */

	__CREDSTORE_ADMIN_A_MAX,
	/* The last attribute of the whole protocol, the family's included. */
	CREDSTORE_ADMIN_A_MAX = __CREDSTORE_ADMIN_A_MAX - 1
};

_Static_assert(CREDSTORE_CMD_MAX < CREDSTORE_ADMIN_BASE &&
	       CREDSTORE_A_MAX < CREDSTORE_ADMIN_BASE,
	       "the kernel family reached the daemon's numbers");

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
	CREDSTORE_A_STORE_PUBLISHER,		/* u8: 0 no module, 1 publishing,
						 * 2 behind (the next change snapshots) */
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
	CREDSTORE_A_STORE_REMOUNTS,		/* u32: since start, after I/O errors */
	CREDSTORE_A_STORE_IO_ERROR,		/* string: the last that stopped the store */
	CREDSTORE_A_STORE_REFUSED,		/* nested, one per record credstore.ko
						 * refused: %CREDSTORE_A_KIND, its
						 * %CREDSTORE_A_NAME or %CREDSTORE_A_DEVICE_ID,
						 * %CREDSTORE_A_MESSAGE (the module's words) */

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

#endif /* CREDSTORE_ADMIN_H */
