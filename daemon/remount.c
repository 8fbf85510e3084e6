#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>

#include "flash_emu.h"
#include "keyfile.h"
#include "log.h"
#include "notify.h"
#include "publisher.h"
#include "remount.h"
#include "sign_keys.h"

static struct store *mount_again(struct remount *rm, struct cs_err *err)
{
	struct store_options so = rm->options;
	struct store *s = NULL;

	if (rm->emulated)
		flash_emu_power_on(rm->flash);
	if (!keyfile_load(rm->key_file, so.key, err))
		s = store_mount(rm->flash, &so, err);
	OPENSSL_cleanse(so.key, sizeof(so.key));
	return s;
}

int remount_if_broken(struct daemon *d, const char *why)
{
	struct remount *rm = d->remount;
	struct cs_err err = { 0 };
	struct store *s;

	if (!rm || !d->model.store || !store_broken(d->model.store))
		return 0;
	snprintf(rm->last_error, sizeof(rm->last_error), "%s", why);
	log_msg(LOG_WARNING, "the store stopped after an I/O error (%s): mounting it again", why);
	/* Keys parsed before may have been replaced by that change. */
	sign_keys_free(d->sign_keys);
	d->sign_keys = NULL;
	model_close(&d->model);
	store_unmount(d->model.store);
	d->model.store = NULL;
	s = mount_again(rm, &err);
	/* The index of devices is built again: a change whose outcome was
	 * unknown may be there. */
	if (s && model_open(&d->model, s, &err)) {
		store_unmount(s);
		d->model.store = NULL;
		s = NULL;
	}
	if (!s) {
		log_msg(LOG_ERR, "mounting the store again failed: %s; stopping, for a restart",
			err.msg);
		d->failed = true;
		return -EIO;
	}
	rm->count++;
	log_msg(LOG_NOTICE, "the store is mounted again (remount %u): generation %llu", rm->count,
		(unsigned long long)store_generation(s));
	/* A change whose outcome was unknown may have landed: the module and
	 * the subscribers hear the store as it is. */
	if (d->publisher)
		publisher_snapshot(d->publisher);
	notify_snapshot(d->conns, store_generation(s));
	return 0;
}
