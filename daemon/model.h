/* credstored's data model: identities, trust anchors and devices, each
 * one store record whose value (and sealed secret) is a stream of
 * CREDSTORE_A_* netlink attributes.  Changes are staged in a model_txn,
 * which reads its own writes (a batch may add a device and then reset its
 * secret) and lists what changed for the publisher. */
#ifndef CREDSTORE_MODEL_H
#define CREDSTORE_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/credstore.h>

#include "store.h"

enum { SLOT_MASTER, SLOT_SUB, SLOT_COUNT };

struct model_limits {
	uint32_t identities, anchors, devices;
};

#define MODEL_DEFAULT_IDENTITIES	16
#define MODEL_DEFAULT_ANCHORS		32
#define MODEL_DEFAULT_DEVICES		1024

struct device_index;

struct model {
	struct store *store;
	struct model_limits limits;
	struct device_index *devices;	/* committed devices by id and fingerprint */
};

/* The model over a mounted store: builds its device index (the only walk
 * over all devices, once per mount).  -ENOMEM. */
int model_open(struct model *m, struct store *s, struct cs_err *err);
/* Frees what model_open() built; the store stays mounted. */
void model_close(struct model *m);

/* A server identity.  chain is NULL while only the key of a CSR exists. */
struct model_identity {
	char name[CREDSTORE_NAME_MAX];
	uint8_t *chain;		/* concatenated DER, leaf first */
	size_t chain_len;
	bool has_signers;	/* else only root may sign with the key */
	uint32_t signers;	/* the gid that may sign */
	uint8_t *key;		/* DER PKCS#8, sealed in the store */
	size_t key_len;
	uint8_t *pending_key;	/* the key of the last CSR, until installed */
	size_t pending_key_len;
	/* The key an install replaced: it still signs for servers that
	 * have not reloaded yet, until the next install or removal. */
	uint8_t *previous_key;
	size_t previous_key_len;
};

/* What the anchor record says of its CRL, whose DER bytes are in
 * STORE_REC_CRL records of their own (model_crl.c): a CRL may be several
 * MiB, a record at most STORE_VALUE_MAX. */
struct model_crl_info {
	uint32_t len;		/* bytes of DER; 0: no CRL */
	uint32_t parts;		/* STORE_REC_CRL records "NAME/0000"... */
	uint32_t entries;	/* revoked certificates */
	uint64_t this_update, next_update;	/* Unix seconds; next 0: none */
};

struct model_anchor {
	char name[CREDSTORE_NAME_MAX];
	uint8_t *cert;		/* DER */
	size_t cert_len;
	struct model_crl_info crl;
};

struct model_device {
	char id[CREDSTORE_DEVICE_ID_MAX];
	bool has_fp[SLOT_COUNT];
	uint8_t fp[SLOT_COUNT][CREDSTORE_FINGERPRINT_LEN];
	uint64_t not_after[SLOT_COUNT];	/* of the certificate given; 0: unknown */
	uint32_t flags;
	size_t secret_len[SLOT_COUNT];	/* 0: none; sealed in the store */
	uint8_t secret[SLOT_COUNT][CREDSTORE_SECRET_MAX];
};

/* Frees and wipes. */
void model_key_free(uint8_t **key, size_t *len);
void model_identity_release(struct model_identity *id);
void model_anchor_release(struct model_anchor *a);
void model_device_wipe(struct model_device *d);

/* Record <-> model.  Encoders fill r with malloc'd buffers that
 * model_record_release() wipes and frees. */
int model_identity_encode(const struct model_identity *id, struct store_record *r, struct cs_err *err);
int model_identity_decode(const struct store_record *r, struct model_identity *id, struct cs_err *err);
int model_anchor_encode(const struct model_anchor *a, struct store_record *r, struct cs_err *err);
int model_anchor_decode(const struct store_record *r, struct model_anchor *a, struct cs_err *err);
int model_device_encode(const struct model_device *d, struct store_record *r, struct cs_err *err);
int model_device_decode(const struct store_record *r, struct model_device *d, struct cs_err *err);
void model_record_release(struct store_record *r);
/* Check that a record decodes and that credstore.ko would take it
 * (import of a backup). */
int model_record_check(const struct store_record *r, struct cs_err *err);

/* What credstore.ko accepts of a record (uapi/linux/credstore.h,
 * "Published records"; model_rules.c): every put checks it. */
int model_identity_check(const struct model_identity *id, struct cs_err *err);
int model_anchor_check(const struct model_anchor *a, struct cs_err *err);
int model_device_check(const struct model_device *d, struct cs_err *err);

/* The enum credstore_kind of a record type (STORE_REC_*). */
uint8_t model_kind(uint8_t type);

/* Attribute streams (the encoding of values and secrets). */
struct nl_msg;
struct nlattr;
struct nl_msg *model_attrs_new(void);
int model_attrs_take(struct nl_msg *msg, void **data, size_t *len, struct cs_err *err);
int model_attrs_parse(const void *data, size_t len, struct nlattr **tb, struct cs_err *err);

/* One staged change. */
struct model_change {
	uint8_t type;
	char key[STORE_RECORD_KEY_MAX + 1];
	bool deleted;
	struct store_record rec;	/* when !deleted; owns its buffers */
};

struct model_txn {
	struct model *m;
	struct store_txn *st;
	struct model_change *changes;
	size_t n_changes, cap;
	uint32_t cleared;		/* bit per record type cleared */
	uint32_t count[STORE_REC_TYPE_MAX + 1];
	/* lookup trees (model_index.c) */
	void *by_key;			/* latest change per record */
	void *staged_fps;		/* fingerprint -> staged devices */
	/* the device index's entries for this txn's devices, made before
	 * its commit (model_index.c) */
	struct device_entry **entries;
	size_t n_entries;
};

/* Is c the last change staged for its record (the one that counts)? */
bool model_change_latest(const struct model_txn *t, const struct model_change *c);

struct model_txn *model_txn_begin(struct model *m, struct cs_err *err);
/* Durable on flash when it returns 0; the txn stays readable (for the
 * publisher) until model_txn_free(). */
int model_txn_commit(struct model_txn *t, uint64_t *generation, struct cs_err *err);
void model_txn_free(struct model_txn *t);

/* Lookups see t's staged changes (t may be NULL: the committed state).
 * -ENOENT (err untouched) when absent. */
int model_get_identity(struct model *m, struct model_txn *t, const char *name, struct model_identity *out,
		       struct cs_err *err);
int model_get_anchor(struct model *m, struct model_txn *t, const char *name, struct model_anchor *out,
		     struct cs_err *err);
int model_get_device(struct model *m, struct model_txn *t, const char *id, struct model_device *out,
		     struct cs_err *err);
/* The same without secrets (nothing is unsealed; out's secrets are
 * empty): for whatever does not return or rewrite a secret. */
int model_get_device_public(struct model *m, struct model_txn *t, const char *id,
			    struct model_device *out, struct cs_err *err);
int model_get_identity_public(struct model *m, const char *name, struct model_identity *out,
			      struct cs_err *err);
/* Calls fn with each committed device that holds fp, as master first,
 * then as sub, without secrets, until fn returns non-zero (returned). */
int model_devices_with_fingerprint(struct model *m, const uint8_t *fp,
				   int (*fn)(const struct model_device *d, void *arg), void *arg);

int model_put_identity(struct model_txn *t, const struct model_identity *id, struct cs_err *err);
int model_put_anchor(struct model_txn *t, const struct model_anchor *a, struct cs_err *err);
int model_put_device(struct model_txn *t, const struct model_device *d, struct cs_err *err);
/* 0, also when absent (*existed says which). */
int model_delete(struct model_txn *t, uint8_t type, const char *key, bool *existed,
		 struct cs_err *err);
int model_clear(struct model_txn *t, uint8_t type, struct cs_err *err);
/* Master and sub fingerprints are unique over all devices: 1 and the
 * holder's id in out when a device other than `exclude` holds fp;
 * -ENOMEM. */
int model_fingerprint_owner(struct model_txn *t, const uint8_t *fp, const char *exclude,
			    char out[CREDSTORE_DEVICE_ID_MAX]);
/* Put a raw record (import). */
int model_put_record(struct model_txn *t, const struct store_record *r, struct cs_err *err);

/* A device record's flags, without decoding the rest (notifications). */
uint32_t model_device_record_flags(const struct store_record *r);

/* An anchor's CRL (model_crl.c).  model_put_crl stages der (replacing the
 * parts a->crl names, and filling a->crl but for the dates and entries,
 * which the caller sets); the caller then puts the anchor.  Parts are
 * MODEL_CRL_PART_MAX bytes but the last. */
#define MODEL_CRL_PART_MAX	(40 * 1024)
int model_put_crl(struct model_txn *t, struct model_anchor *a, const uint8_t *der, size_t len,
		  struct cs_err *err);
int model_delete_crl(struct model_txn *t, struct model_anchor *a, struct cs_err *err);
/* One part, malloc'd; -ENOENT (err untouched) when absent. */
int model_get_crl_part(struct model *m, struct model_txn *t, const char *name, uint32_t part,
		       uint8_t **data, size_t *len, struct cs_err *err);
/* The whole CRL of a, malloc'd. */
int model_get_crl(struct model *m, struct model_txn *t, const struct model_anchor *a,
		  uint8_t **der, size_t *len, struct cs_err *err);

/* Every record of a type as t sees it (t may be NULL), committed ones in
 * key order, then those t staged; fn as for model_iterate. */
int model_each(struct model *m, struct model_txn *t, uint8_t type,
	       int (*fn)(const struct store_record *r, void *arg), void *arg, struct cs_err *err);

/* Records of a type, committed state only (export). */
int model_iterate(struct model *m, uint8_t type, const char *after,
		  int (*fn)(const struct store_record *r, void *arg), void *arg,
		  struct cs_err *err);
/* The same without secrets (dumps): nothing is unsealed. */
int model_iterate_public(struct model *m, uint8_t type, const char *after,
			 int (*fn)(const struct store_record *r, void *arg), void *arg,
			 struct cs_err *err);

#endif
