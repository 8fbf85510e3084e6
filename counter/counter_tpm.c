/* A TPM 2.0 NV counter (TPM2_NT_COUNTER) through libtss2-esys: the TPM
 * itself refuses to lower it, and it survives a reflash of everything
 * else.  Read with TPM2_NV_Read (8 bytes, big-endian), advanced with
 * TPM2_NV_Increment, one step per command.  The index is defined on first
 * use with the owner hierarchy's (empty) password and an empty password of
 * its own: reading and incrementing need no secret, and an increment
 * someone else makes only makes the store look older (a refusal), never
 * newer. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include "counter.h"

#define NV_SIZE		8
#define RC_HANDLE_MASK	(TPM2_RC_FMT1 | 0x3f)	/* the error, without its handle number */

struct tpm_counter {
	struct counter c;
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
	TPM2_HANDLE index;
	ESYS_TR nv;
	bool written;			/* TPMA_NV_WRITTEN seen: it stays set */
};

static struct tpm_counter *to_tpm(struct counter *c)
{
	return (struct tpm_counter *)c;
}

static int tpm_error(struct tpm_counter *t, TSS2_RC rc, const char *what, struct cs_err *err)
{
	return cs_err_set(err, EIO, "%s: %s: %s", t->c.name, what, Tss2_RC_Decode(rc));
}

static int read_public(struct tpm_counter *t, TPMA_NV *attributes, struct cs_err *err)
{
	TPM2B_NV_PUBLIC *pub = NULL;
	TSS2_RC rc = Esys_NV_ReadPublic(t->esys, t->nv, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
					&pub, NULL);
	int r = 0;

	if (rc)
		return tpm_error(t, rc, "reading its public area", err);
	*attributes = pub->nvPublic.attributes;
	if ((*attributes & TPMA_NV_TPM2_NT_MASK) >> TPMA_NV_TPM2_NT_SHIFT != TPM2_NT_COUNTER ||
	    pub->nvPublic.dataSize != NV_SIZE)
		r = cs_err_set(err, EMEDIUMTYPE, "%s: the NV index is not a counter", t->c.name);
	Esys_Free(pub);
	return r;
}

static int tpm_read(struct counter *c, uint64_t *value, struct cs_err *err)
{
	struct tpm_counter *t = to_tpm(c);
	TPM2B_MAX_NV_BUFFER *data = NULL;
	TPMA_NV attributes;
	TSS2_RC rc;
	int r = t->written ? 0 : read_public(t, &attributes, err);

	*value = 0;
	if (r)
		return r;
	if (!t->written && !(attributes & TPMA_NV_WRITTEN))
		return 0;
	t->written = true;
	rc = Esys_NV_Read(t->esys, t->nv, t->nv, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
			  NV_SIZE, 0, &data);
	if (rc)
		return tpm_error(t, rc, "reading it", err);
	for (int i = 0; i < NV_SIZE && i < data->size; i++)
		*value = *value << 8 | data->buffer[i];
	Esys_Free(data);
	return 0;
}

/* Reads once, then increments as often as it takes: each increment adds
 * exactly one (the first one of a counter never written sets it to the
 * highest any counter of the TPM had, then it is read again). */
static int tpm_advance(struct counter *c, uint64_t target, struct cs_err *err)
{
	struct tpm_counter *t = to_tpm(c);
	uint64_t now;
	int r = tpm_read(c, &now, err);

	if (!r && now < target && target - now > COUNTER_TPM_INCREMENTS_MAX)
		return cs_err_set(err, ERANGE, "%s: %" PRIu64 " is more than %d increments above "
				  "%" PRIu64, c->name, target, COUNTER_TPM_INCREMENTS_MAX, now);
	while (!r && now < target) {
		TSS2_RC rc = Esys_NV_Increment(t->esys, t->nv, t->nv, ESYS_TR_PASSWORD,
					       ESYS_TR_NONE, ESYS_TR_NONE);
		bool first = !t->written;

		if (rc)
			return tpm_error(t, rc, "incrementing it", err);
		now++;
		if (first)
			r = tpm_read(c, &now, err);
	}
	return r;
}

static void tpm_close(struct counter *c)
{
	struct tpm_counter *t = to_tpm(c);

	if (t->esys)
		Esys_Finalize(&t->esys);
	if (t->tcti)
		Tss2_TctiLdr_Finalize(&t->tcti);
	free(t);
}

static const struct counter_ops tpm_ops = {
	.read = tpm_read,
	.advance = tpm_advance,
	.close = tpm_close,
};

/* The index as an ESYS object, defined first if the TPM has none there. */
static int find_or_define(struct tpm_counter *t, struct cs_err *err)
{
	TPM2B_AUTH empty = { .size = 0 };
	TPM2B_NV_PUBLIC pub = {
		.nvPublic = {
			.nvIndex = t->index,
			.nameAlg = TPM2_ALG_SHA256,
			.attributes = TPMA_NV_AUTHWRITE | TPMA_NV_AUTHREAD | TPMA_NV_NO_DA |
				      TPM2_NT_COUNTER << TPMA_NV_TPM2_NT_SHIFT,
			.dataSize = NV_SIZE,
		},
	};
	TPMA_NV attributes;
	TSS2_RC rc = Esys_TR_FromTPMPublic(t->esys, t->index, ESYS_TR_NONE, ESYS_TR_NONE,
					   ESYS_TR_NONE, &t->nv);

	if (!rc)
		return read_public(t, &attributes, err);
	if ((rc & RC_HANDLE_MASK) != TPM2_RC_HANDLE)
		return tpm_error(t, rc, "looking the index up", err);
	rc = Esys_NV_DefineSpace(t->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				 ESYS_TR_NONE, &empty, &pub, &t->nv);
	return rc ? tpm_error(t, rc, "defining the index (with the owner's empty password; "
			      "define it with tpm2_nvdefine -a 'nt=counter|authread|authwrite')",
			      err) : 0;
}

struct counter *counter_tpm_open(uint32_t nv_index, const char *tcti, struct cs_err *err)
{
	struct tpm_counter *t = calloc(1, sizeof(*t));
	TSS2_RC rc;

	if (!t) {
		cs_err_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	/* libtss2 logs its own errors to stderr, which is the daemon's log;
	 * ours say the same with the counter's name */
	setenv("TSS2_LOG", "all+none", 0);
	t->c.ops = &tpm_ops;
	t->index = nv_index;
	snprintf(t->c.name, sizeof(t->c.name), "TPM NV counter 0x%08" PRIx32, nv_index);
	if (nv_index < TPM2_NV_INDEX_FIRST || nv_index > TPM2_NV_INDEX_LAST) {
		cs_err_set(err, EINVAL, "%s: not an NV index (0x%08x..0x%08x)", t->c.name,
			   TPM2_NV_INDEX_FIRST, TPM2_NV_INDEX_LAST);
	} else if ((rc = Tss2_TctiLdr_Initialize(tcti, &t->tcti))) {
		tpm_error(t, rc, tcti ? tcti : "the default TCTI", err);
	} else if ((rc = Esys_Initialize(&t->esys, t->tcti, NULL))) {
		tpm_error(t, rc, "ESYS", err);
	} else if (!find_or_define(t, err)) {
		return &t->c;
	}
	tpm_close(&t->c);
	return NULL;
}
