/* A counter in a file: its value in decimal and a newline.  Advancing
 * writes PATH.new, syncs it, renames it over PATH and syncs the directory,
 * so that a power cut leaves the old value or the new one, never less. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "counter.h"

struct file_counter {
	struct counter c;
	char path[4096];
};

static struct file_counter *to_file(struct counter *c)
{
	return (struct file_counter *)c;
}

static int file_read(struct counter *c, uint64_t *value, struct cs_err *err)
{
	struct file_counter *fc = to_file(c);
	char text[32], *end;
	int fd = open(fc->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	*value = 0;
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return cs_err_set(err, errno, "%s: %s", c->name, strerror(errno));
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n < 0)
		return cs_err_set(err, errno, "%s: %s", c->name, strerror(errno));
	text[n] = '\0';
	errno = 0;
	*value = strtoull(text, &end, 10);
	if (n < 2 || text[0] < '0' || text[0] > '9' || errno || strcmp(end, "\n"))
		return cs_err_set(err, EBADMSG, "%s does not hold a counter (a number and a "
				  "newline)", c->name);
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

static int write_value(struct file_counter *fc, uint64_t value)
{
	char tmp[4096 + 8], text[32];
	int len = snprintf(text, sizeof(text), "%" PRIu64 "\n", value);
	int fd, rc = 0;

	snprintf(tmp, sizeof(tmp), "%s.new", fc->path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, text, (size_t)len) != len || fsync(fd))
		rc = errno ? -errno : -EIO;
	close(fd);
	if (!rc && rename(tmp, fc->path))
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc ? rc : sync_dir(fc->path);
}

static int file_advance(struct counter *c, uint64_t target, struct cs_err *err)
{
	uint64_t now;
	int rc = file_read(c, &now, err);

	if (rc || now >= target)
		return rc;
	rc = write_value(to_file(c), target);
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
