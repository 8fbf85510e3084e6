/* A counter in a file, in two slots: a power cut while one is written
 * leaves the other, so the file reads the old value or the new one,
 * never less.
 *
 * Why slots, not a new file renamed over the old one: that costs two
 * journal commits per advance (the file's fsync, then the directory's
 * after the rename), and the store advances its counter once per
 * transaction.  A slot rewritten in place, in a file whose size never
 * changes, needs one fdatasync: the data and a cache flush, no journal
 * (3x faster on this project's test machines, and its latency no longer
 * spills into the requests that follow; bench/admin).
 *
 * The file (FORMAT.md, "Rollback"): slot 0 at offset 0, slot 1 at
 * COUNTER_SLOT_GAP, so that they share no filesystem block or flash page
 * of 4 KiB or less; each slot is one line of text:
 *
 *	credstore-counter VALUE CHECK
 *
 * VALUE in 20 decimal digits, CHECK the first 4 bytes of the SHA-256 of
 * the prefix and VALUE (not the space between them and CHECK), in hex (a
 * torn or foreign slot does not pass).  The
 * value is the larger of the slots that pass; an advance rewrites the
 * other one.  A file in the first format (the value in decimal and a
 * newline) is read as such, and written whole in slots (new file,
 * synced, renamed, directory synced) at its next advance, as a counter
 * file is when it does not exist yet. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "counter.h"

#define COUNTER_SLOT_GAP	4096
#define SLOT_PREFIX		"credstore-counter "
#define SLOT_LEN		(sizeof(SLOT_PREFIX) - 1 + 20 + 1 + 8 + 1)
#define FILE_LEN		(COUNTER_SLOT_GAP + SLOT_LEN)
#define FIRST_FORMAT_MAX	21	/* "18446744073709551615\n" */

struct file_counter {
	struct counter c;
	char path[4096];
};

/* What a counter file holds: its value and how to advance it. */
struct file_state {
	uint64_t value;
	int stale_slot;		/* the slot an advance rewrites; -1: write the file whole */
};

static struct file_counter *to_file(struct counter *c)
{
	return (struct file_counter *)c;
}

/* 0, or -ENOMEM: OpenSSL could not hash (out of memory, or no provider
 * with SHA-256 loaded).  Never a slot with a made-up check: written, it
 * would fail later and the advance would be lost after it was reported
 * durable. */
static int slot_format(uint64_t value, char out[SLOT_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	int n = snprintf(out, SLOT_LEN + 1, SLOT_PREFIX "%020" PRIu64 " ", value);

	/* the prefix and the digits: the space before the check is not hashed */
	if (!EVP_Q_digest(NULL, "SHA256", NULL, out, (size_t)n - 1, md, NULL))
		return -ENOMEM;
	snprintf(out + n, SLOT_LEN + 1 - (size_t)n, "%02x%02x%02x%02x\n", md[0], md[1], md[2],
		 md[3]);
	return 0;
}

/* 1 and the slot's value if the slot passes its check, 0 if it does not,
 * or -ENOMEM (slot_format). */
static int slot_parse(const char *slot, uint64_t *value)
{
	char expect[SLOT_LEN + 1];
	int rc;

	if (strncmp(slot, SLOT_PREFIX, sizeof(SLOT_PREFIX) - 1))
		return 0;
	*value = strtoull(slot + sizeof(SLOT_PREFIX) - 1, NULL, 10);
	rc = slot_format(*value, expect);
	return rc ? rc : !memcmp(slot, expect, SLOT_LEN);
}

/* The first format: the value in decimal and a newline. */
static bool first_format_parse(const char *text, size_t len, uint64_t *value)
{
	char copy[FIRST_FORMAT_MAX + 1], *end;

	if (len < 2 || len > FIRST_FORMAT_MAX || text[0] < '0' || text[0] > '9')
		return false;
	memcpy(copy, text, len);
	copy[len] = '\0';
	errno = 0;
	*value = strtoull(copy, &end, 10);
	return !errno && !strcmp(end, "\n");
}

static int parse(const char *text, size_t len, struct file_state *st)
{
	uint64_t v[2];
	int ok[2];

	st->stale_slot = -1;
	if (len != FILE_LEN)
		return first_format_parse(text, len, &st->value) ? 0 : -EBADMSG;
	ok[0] = slot_parse(text, &v[0]);
	ok[1] = slot_parse(text + COUNTER_SLOT_GAP, &v[1]);
	if (ok[0] < 0 || ok[1] < 0)
		return -ENOMEM;
	if (!ok[0] && !ok[1])
		return -EBADMSG;
	/* the slot to rewrite is never the one holding the value */
	st->stale_slot = !ok[0] || (ok[1] && v[1] > v[0]) ? 0 : 1;
	st->value = v[!st->stale_slot];
	return 0;
}

/* The state of the file open at fd (an empty one holds no counter:
 * neither format makes one, even torn). */
static int load(int fd, struct file_state *st)
{
	char text[FILE_LEN + 2];	/* one byte more: a longer file is no counter */
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);

	if (n < 0)
		return -errno;
	text[n] = '\0';	/* a slot's digits end here at the latest */
	return parse(text, (size_t)n, st);
}

static int read_err(struct counter *c, int rc, struct cs_err *err)
{
	if (rc == -EBADMSG)
		return cs_err_set(err, EBADMSG, "%s does not hold a counter (no slot that "
				  "passes its check, nor a number and a newline)", c->name);
	return cs_err_set(err, -rc, "%s: %s", c->name, strerror(-rc));
}

static int file_read(struct counter *c, uint64_t *value, struct cs_err *err)
{
	int fd = open(to_file(c)->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct file_state st = { 0 };
	int rc;

	*value = 0;
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return read_err(c, -errno, err);
	rc = load(fd, &st);
	close(fd);
	if (rc)
		return read_err(c, rc, err);
	*value = st.value;
	return 0;
}

static int sync_dir(const char *path)
{
	char copy[4096];
	int fd, rc;

	snprintf(copy, sizeof(copy), "%s", path);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = fsync(fd) ? -errno : 0;
	close(fd);
	return rc;
}

/* A new file, both slots holding value, in place of the old one. */
static int write_whole(struct file_counter *fc, uint64_t value)
{
	char tmp[4096 + 8], text[FILE_LEN] = { 0 };
	ssize_t n;
	int fd, rc = slot_format(value, text);

	if (rc)
		return rc;
	memcpy(text + COUNTER_SLOT_GAP, text, SLOT_LEN);
	snprintf(tmp, sizeof(tmp), "%s.new", fc->path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	n = write(fd, text, FILE_LEN);
	rc = n != FILE_LEN ? (n < 0 ? -errno : -EIO) : fsync(fd) ? -errno : 0;
	close(fd);
	if (!rc && rename(tmp, fc->path))
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc ? rc : sync_dir(fc->path);
}

static int write_slot(int fd, int slot, uint64_t value)
{
	char text[SLOT_LEN + 1];
	ssize_t n;
	int rc = slot_format(value, text);

	if (rc)
		return rc;
	n = pwrite(fd, text, SLOT_LEN, (off_t)slot * COUNTER_SLOT_GAP);
	if (n != SLOT_LEN)
		return n < 0 ? -errno : -EIO;
	return fdatasync(fd) ? -errno : 0;
}

/* 0 or -errno (-EBADMSG: the file does not hold a counter). */
static int advance(struct file_counter *fc, uint64_t target)
{
	int fd = open(fc->path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	struct file_state st = { .value = 0, .stale_slot = -1 };
	int rc = 0;

	if (fd < 0 && errno != ENOENT)
		return -errno;
	if (fd >= 0)
		rc = load(fd, &st);
	if (!rc && st.value < target)
		rc = st.stale_slot < 0 ? write_whole(fc, target) : write_slot(fd, st.stale_slot, target);
	if (fd >= 0)
		close(fd);
	return rc;
}

static int file_advance(struct counter *c, uint64_t target, struct cs_err *err)
{
	int rc = advance(to_file(c), target);

	if (rc == -EBADMSG)
		return read_err(c, rc, err);
	return rc ? cs_err_set(err, -rc, "%s: cannot advance it to %" PRIu64 ": %s", c->name,
			       target, strerror(-rc)) : 0;
}

static void file_close(struct counter *c)
{
	free(c);
}

static const struct counter_ops file_ops = {
	.read = file_read,
	.advance = file_advance,
	.close = file_close,
};

struct counter *counter_file_open(const char *path, struct cs_err *err)
{
	struct file_counter *fc;

	if (!path || !*path || strlen(path) >= sizeof(fc->path)) {
		cs_err_set(err, EINVAL, "a counter file needs a path (at most %zu bytes)",
			   sizeof(fc->path) - 1);
		return NULL;
	}
	fc = calloc(1, sizeof(*fc));
	if (!fc) {
		cs_err_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	fc->c.ops = &file_ops;
	snprintf(fc->path, sizeof(fc->path), "%s", path);
	snprintf(fc->c.name, sizeof(fc->c.name), "counter file %s", path);
	return &fc->c;
}
