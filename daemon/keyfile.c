#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "keyfile.h"

static int create_key(const char *path, uint8_t key[STORE_KEY_LEN], struct cs_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int r = 0;

	if (fd < 0)
		return cs_err_set(err, errno, "cannot create the store key %s: %s", path, strerror(errno));
	if (RAND_priv_bytes(key, STORE_KEY_LEN) != 1)
		r = cs_err_set(err, EIO, "no randomness for the store key");
	else if (write(fd, key, STORE_KEY_LEN) != STORE_KEY_LEN || fsync(fd) < 0)
		r = cs_err_set(err, errno ? errno : EIO, "cannot write the store key %s: %s", path,
			       strerror(errno));
	close(fd);
	if (r) {
		unlink(path);
		OPENSSL_cleanse(key, STORE_KEY_LEN);
	}
	return r;
}

int keyfile_load(const char *path, uint8_t key[STORE_KEY_LEN], struct cs_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;
	uint8_t extra;

	if (fd < 0 && errno == ENOENT)
		return create_key(path, key, err);
	if (fd < 0)
		return cs_err_set(err, errno, "cannot read the store key %s: %s", path, strerror(errno));
	n = read(fd, key, STORE_KEY_LEN);
	if (n == STORE_KEY_LEN && read(fd, &extra, 1) != 0)
		n = -2;
	close(fd);
	if (n != STORE_KEY_LEN) {
		OPENSSL_cleanse(key, STORE_KEY_LEN);
		return cs_err_set(err, EINVAL, "the store key %s is not %d bytes: refusing to start",
				  path, STORE_KEY_LEN);
	}
	return 0;
}
