/* credstored: the only writer of the credential store.  Opens the flash
 * (MTD or an emulated image), serves admin commands and queries on its
 * sockets in the runtime directory, and publishes into credstore.ko when
 * loaded. */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <systemd/sd-daemon.h>

#include "counter.h"
#include "expiry.h"
#include "flash_emu.h"
#include "flash_log.h"
#include "keyfile.h"
#include "listen.h"
#include "log.h"
#include "loop.h"
#include "number.h"
#include "publisher.h"
#include "server.h"
#include "remount.h"
#include "sign_keys.h"
#include "version.h"

#define DEFAULT_IMAGE		"/var/lib/credstore/store.img"
#define DEFAULT_KEY_FILE	"/var/lib/credstore/store.key"
#define DEFAULT_GEOMETRY	"nand,blocks=64"
#define MAINTAIN_INTERVAL_MS	5000

struct options {
	const char *mtd, *image, *geometry, *faults, *key_file, *admin_group, *runtime_dir;
	const char *counter_file, *counter_tpm, *tpm_tcti;
	bool foreground, to_stderr, no_module, no_counter;
	struct model_limits limits;
	struct daemon_policy policy;
	struct conn_limits conn_limits;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: credstored [--mtd /dev/mtdN | --image FILE] [options]\n"
		"  --mtd DEV            the store on a raw MTD partition (libmtd)\n"
		"  --image FILE         the store on an emulated flash image (default %s)\n"
		"  --geometry SPEC      geometry of a new image (default %s)\n"
		"  --faults SPEC        fault injection on the image, for tests (flash_emu.h)\n"
		"  --key-file PATH      the store key, made at first start (default %s)\n"
		"  --counter-file PATH  the rollback counter: a file on another medium than the\n"
		"                       store (default: counter beside the key file)\n"
		"  --counter-tpm INDEX  the rollback counter: this TPM 2.0 NV index (0x01...)\n"
		"  --tpm-tcti CONF      the TPM's TCTI (libtss2; default: its own choice)\n"
		"  --no-counter         no rollback counter: an older image goes unnoticed\n"
		"  --admin-group GROUP  members may run admin commands and privileged reads\n"
		"  --runtime-dir DIR    where the admin and query sockets are (default\n"
		"                       $" CS_RUNTIME_DIR_ENV ", else " CS_RUNTIME_DIR_DEFAULT ")\n"
		"  --max-connections-per-uid N\n"
		"                       connections one user may hold (default %d; root: any)\n"
		"  --client-timeout S   a client whose answers do not move for S seconds is\n"
		"                       disconnected (default %d)\n"
		"  --max-devices N      limit of devices (default %d)\n"
		"  --min-secret-length N  shortest device secret taken, bytes (default %d)\n"
		"  --min-rsa-bits N     smallest RSA or DSA key taken (default %d)\n"
		"  --allow-sha1         take certificates signed with SHA-1\n"
		"  --expiry-warning DAYS  warn of certificates expiring within DAYS (default %d):\n"
		"                       at install, and once a day in the log and as EXPIRING\n"
		"                       notifications\n"
		"  --expiry-check-interval T  how often that check runs (default 1d; s, m, h, d)\n"
		"  --no-module          never publish to credstore.ko\n"
		"  --foreground         log to stderr (credstored never forks: run it under\n"
		"                       systemd, Type=notify)\n"
		"  --stderr             log to stderr instead of syslog\n"
		"  --version            the version\n",
		DEFAULT_IMAGE, DEFAULT_GEOMETRY, DEFAULT_KEY_FILE, CONN_DEFAULT_PER_UID,
		CONN_STALL_MS / 1000, MODEL_DEFAULT_DEVICES,
		POLICY_DEFAULT_MIN_SECRET, POLICY_DEFAULT_MIN_RSA_BITS, POLICY_DEFAULT_WARNING_DAYS);
}

static int bad_option(const char *name, const char *value, const char *want)
{
	fprintf(stderr, "credstored: %s %s: %s\nTry 'credstored --help'.\n", name, value, want);
	return -1;
}

/* A number option into a uint32_t, strictly. */
static int number(const char *name, const char *text, unsigned long min, unsigned long max,
		  uint32_t *out)
{
	unsigned long v;
	char want[64];

	if (cs_parse_uint(text, min, max, &v) < 0) {
		snprintf(want, sizeof(want), "a whole number from %lu to %lu", min, max);
		return bad_option(name, text, want);
	}
	*out = (uint32_t)v;
	return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "mtd", required_argument, NULL, 'm' },
		{ "image", required_argument, NULL, 'i' },
		{ "geometry", required_argument, NULL, 'g' },
		{ "faults", required_argument, NULL, 'F' },
		{ "key-file", required_argument, NULL, 'k' },
		{ "counter-file", required_argument, NULL, 'c' },
		{ "counter-tpm", required_argument, NULL, 'T' },
		{ "tpm-tcti", required_argument, NULL, 't' },
		{ "no-counter", no_argument, NULL, 'n' },
		{ "admin-group", required_argument, NULL, 'a' },
		{ "runtime-dir", required_argument, NULL, 'r' },
		{ "max-connections-per-uid", required_argument, NULL, 'C' },
		{ "client-timeout", required_argument, NULL, 'S' },
		{ "max-devices", required_argument, NULL, 'D' },
		{ "min-secret-length", required_argument, NULL, 'L' },
		{ "min-rsa-bits", required_argument, NULL, 'R' },
		{ "allow-sha1", no_argument, NULL, '1' },
		{ "expiry-warning", required_argument, NULL, 'W' },
		{ "expiry-check-interval", required_argument, NULL, 'I' },
		{ "no-module", no_argument, NULL, 'N' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "stderr", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	unsigned long seconds;
	uint32_t n;
	int c, r = 0;

	*o = (struct options){ .geometry = DEFAULT_GEOMETRY, .key_file = DEFAULT_KEY_FILE,
			       .limits = { MODEL_DEFAULT_IDENTITIES, MODEL_DEFAULT_ANCHORS,
					   MODEL_DEFAULT_DEVICES },
			       .policy = POLICY_DEFAULT,
			       .conn_limits = { CONN_DEFAULT_PER_UID, CONN_OUTSTANDING,
						{ CONN_QUEUE_MAX_ADMIN, CONN_QUEUE_MAX_QUERY },
						CONN_STALL_MS } };
	while (!r && (c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': o->mtd = optarg; break;
		case 'i': o->image = optarg; break;
		case 'g': o->geometry = optarg; break;
		case 'F': o->faults = optarg; break;
		case 'k': o->key_file = optarg; break;
		case 'c': o->counter_file = optarg; break;
		case 'T': o->counter_tpm = optarg; break;
		case 't': o->tpm_tcti = optarg; break;
		case 'n': o->no_counter = true; break;
		case 'a': o->admin_group = optarg; break;
		case 'r': o->runtime_dir = optarg; break;
		case 'C':
			r = number("--max-connections-per-uid", optarg, 1, 1000000,
				   &o->conn_limits.per_uid);
			break;
		case 'S':
			r = number("--client-timeout", optarg, 1, 3600, &n);
			o->conn_limits.stall_ms = 1000 * (int)n;
			break;
		case 'D': r = number("--max-devices", optarg, 1, 10000000, &o->limits.devices); break;
		case 'L':
			r = number("--min-secret-length", optarg, 1, CREDSTORE_SECRET_MAX,
				   &o->policy.min_secret_len);
			break;
		case 'R': r = number("--min-rsa-bits", optarg, 512, 16384, &o->policy.min_rsa_bits); break;
		case '1': o->policy.allow_sha1 = true; break;
		case 'W':
			r = number("--expiry-warning", optarg, 0, 3650, &o->policy.expiry_warning_days);
			break;
		case 'I':
			if (cs_parse_duration(optarg, 's', 365 * 86400UL, &seconds) < 0 || !seconds)
				r = bad_option("--expiry-check-interval", optarg,
					       "a duration such as 1d, 12h or 30s");
			o->policy.expiry_check_s = (uint32_t)seconds;
			break;
		case 'N': o->no_module = true; break;
		case 'f': o->foreground = o->to_stderr = true; break;
		case 's': o->to_stderr = true; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("credstored %s\n", CREDSTORE_VERSION); exit(0);
		default:
			fprintf(stderr, "Try 'credstored --help'.\n");
			return -1;
		}
	}
	if (r)
		return r;
	if (optind < argc)
		return bad_option("argument", argv[optind], "credstored takes options only");
	if (o->mtd && (o->image || o->faults))
		return bad_option("--mtd", o->mtd, "--image and --faults belong to an emulated image");
	if (!!o->counter_file + !!o->counter_tpm + o->no_counter > 1) {
		fprintf(stderr, "credstored: --counter-file, --counter-tpm and --no-counter exclude "
			"each other\nTry 'credstored --help'.\n");
		return -1;
	}
	if (!o->mtd && !o->image)
		o->image = DEFAULT_IMAGE;
	return 0;
}

/* Secrets must not land in a core file. */
static void no_core_dumps(void)
{
	struct rlimit none = { 0, 0 };

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	setrlimit(RLIMIT_CORE, &none);
}

static struct flash *open_flash(const struct options *o, struct cs_err *err)
{
	struct flash_geometry geo;
	struct flash_faults faults;

	if (o->mtd)
		return flash_mtd_open(o->mtd, err);
	flash_faults_none(&faults);
	if (flash_emu_parse_geometry(o->geometry, &geo, err) ||
	    (o->faults && flash_faults_parse(o->faults, &faults, err)))
		return NULL;
	return flash_emu_open(o->image, &geo, &faults, err);
}

/* The rollback counter the options name; *c NULL with --no-counter.  The
 * default file is beside the key file: the key is what binds a store to
 * this device, the counter lives with it (another medium than the flash). */
static int open_counter(const struct options *o, struct counter **c, struct cs_err *err)
{
	char path[PATH_MAX], *end;
	const char *slash;
	unsigned long index;

	*c = NULL;
	if (o->no_counter)
		return 0;
	if (o->counter_tpm) {
		errno = 0;
		index = strtoul(o->counter_tpm, &end, 0);
		if (errno || *end || index > UINT32_MAX)
			return cs_err_set(err, EINVAL, "--counter-tpm %s: not an NV index",
					  o->counter_tpm);
		*c = counter_tpm_open((uint32_t)index, o->tpm_tcti, err);
		return *c ? 0 : -err->code;
	}
	slash = strrchr(o->key_file, '/');
	if (!o->counter_file)
		snprintf(path, sizeof(path), "%.*scounter", slash ? (int)(slash - o->key_file + 1) : 0,
			 o->key_file);
	*c = counter_file_open(o->counter_file ? o->counter_file : path, err);
	return *c ? 0 : -err->code;
}

/* Mount; a blank flash is formatted first (first start). */
static struct store *open_store(struct flash *f, const struct store_options *so, struct cs_err *err)
{
	struct cs_err mount_err = { 0 };
	struct store *s = store_mount(f, so, &mount_err);

	if (s)
		return s;
	if (mount_err.code != ENODATA) {
		cs_err_set(err, mount_err.code, "%s", mount_err.msg);
		return NULL;
	}
	log_msg(LOG_NOTICE, "the flash is blank: formatting a new store");
	if (store_format(f, so, err))
		return NULL;
	return store_mount(f, so, err);
}

static int set_admin_group(struct daemon *d, const char *name, struct cs_err *err)
{
	struct group *g;

	if (!name)
		return 0;
	g = getgrnam(name);
	if (!g)
		return cs_err_set(err, ENOENT, "unknown admin group '%s'", name);
	d->has_admin_group = true;
	d->admin_gid = g->gr_gid;
	return 0;
}

static int signal_fd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_CLOEXEC);
}

/* Every upkeep turn (MAINTAIN_INTERVAL_MS, or the expiry check's interval
 * when shorter): the expiry check when it is due, a staged import whose
 * client went away is dropped, the store scrubs and collects. */
static void upkeep(struct daemon *d)
{
	struct cs_err err = { 0 };

	expiry_check_due(d);
	import_reap(d);
	if (store_maintain(d->model.store, &err) < 0) {
		log_msg(LOG_WARNING, "store upkeep: %s", err.msg);
		remount_if_broken(d, err.msg);
	}
}

/* Up to the hard limit: every connection is a descriptor. */
static void raise_descriptor_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int main(int argc, char **argv)
{
	struct options o;
	struct store_options so = { .redundancy = 1, .on_event = flash_log_event };
	struct remount rm = { 0 };
	struct daemon d = { .remount = &rm };
	struct listeners l = { .fd = { -1, -1 } };
	struct loop *lp = NULL;
	struct cs_err err = { 0 };
	struct flash *f = NULL;
	struct store *s = NULL;
	int sfd = -1, rc = 1;

	no_core_dumps();
	if (parse_options(argc, argv, &o))
		return 2;
	log_open(o.to_stderr);
	d.model.limits = o.limits;
	d.policy = o.policy;
	raise_descriptor_limit();
	if (set_admin_group(&d, o.admin_group, &err) ||
	    listeners_open(&l, o.runtime_dir, d.has_admin_group ? d.admin_gid : getegid(), &err) ||
	    keyfile_load(o.key_file, so.key, &err) ||
	    open_counter(&o, &so.counter, &err) ||
	    !(f = open_flash(&o, &err)) ||
	    !(s = open_store(f, &so, &err)) ||
	    model_open(&d.model, s, &err))
		goto out;
	OPENSSL_cleanse(so.key, sizeof(so.key));
	rm = (struct remount){ .flash = f, .key_file = o.key_file, .options = so,
			       .emulated = !o.mtd };
	flash_log_mounted(d.model.store);
	if (!o.no_module && !(d.publisher = publisher_open(&d.model, &err))) {
		log_msg(LOG_WARNING, "%s: userspace mode only", err.msg);
		cs_err_clear(&err);
	}
	sfd = signal_fd();
	if (sfd < 0) {
		cs_err_set(&err, errno, "signalfd: %s", strerror(errno));
		goto out;
	}
	lp = loop_new(&d, &l, &o.conn_limits, sfd, &err);
	if (!lp)
		goto out;
	log_msg(LOG_NOTICE, "ready: generation %llu, %s",
		(unsigned long long)store_generation(d.model.store),
		publisher_active(d.publisher) ? "publishing to credstore.ko" : "userspace mode");
	sd_notify(0, "READY=1");
	expiry_check_due(&d);
	loop_run(lp, o.policy.expiry_check_s < MAINTAIN_INTERVAL_MS / 1000
		 ? (int)o.policy.expiry_check_s * 1000 : MAINTAIN_INTERVAL_MS, upkeep);
	sd_notify(0, "STOPPING=1");
	rc = d.failed;
	if (rc)
		cs_err_set(&err, EIO, "the store could not be mounted again after an I/O error");
out:
	if (rc)
		log_msg(LOG_ERR, "%s", err.msg);
	OPENSSL_cleanse(so.key, sizeof(so.key));
	import_drop(&d);
	loop_free(lp);
	publisher_close(d.publisher);
	sign_keys_free(d.sign_keys);
	model_close(&d.model);
	if (d.model.store)		/* s, or its remount; NULL when that failed */
		store_unmount(d.model.store);
	counter_close(so.counter);
	flash_close(f);
	listeners_close(&l);
	if (sfd >= 0)
		close(sfd);
	return rc;
}
