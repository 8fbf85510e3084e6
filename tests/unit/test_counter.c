/* Monotonic counters (counter/): a file, and a TPM 2.0 NV counter on a
 * swtpm this test starts (checked with Debian's tpm2-tools too).  Each
 * only grows, keeps its value across a reopen (and the TPM's across its
 * restart), and fails with a clear error on what it cannot use. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/provider.h>

#include "counter.h"
#include "tap.h"

#define NV_INDEX	0x01500016
#define NV_PLAIN	0x01500017

static char dir[] = "/tmp/test_counter.XXXXXX";

static uint64_t value_of(struct counter *c)
{
	uint64_t v = UINT64_MAX;

	return counter_read(c, &v, NULL) ? UINT64_MAX : v;
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long)st.st_size;
}

static ino_t inode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_ino;
}

/* Whether slot (0 or 1) of the counter file at path holds value, with a
 * check that passes (the counter itself reads the file back: a slot that
 * fails its check is skipped, so one slot is read alone by breaking the
 * other in a copy). */
static bool slot_holds(const char *path, int slot, uint64_t value)
{
	char digits[32], buf[24] = { 0 };
	FILE *f = fopen(path, "r");
	bool same;

	snprintf(digits, sizeof(digits), "%020llu", (unsigned long long)value);
	same = f && !fseek(f, slot * 4096L + 18, SEEK_SET) && fread(buf, 1, 20, f) == 20 &&
	       !strcmp(buf, digits);
	if (f)
		fclose(f);
	return same;
}

static void write_at(const char *path, long offset, const char *text, const char *mode)
{
	FILE *f = fopen(path, mode);

	if (!f || fseek(f, offset, SEEK_SET) || fwrite(text, 1, strlen(text), f) != strlen(text))
		fprintf(stderr, "# cannot write %s\n", path);
	if (f)
		fclose(f);
}

static void test_file(void)
{
	char path[256], bad[256], lost[256], tmp[270];
	struct cs_err err = { 0 };
	struct counter *c;
	FILE *f;

	snprintf(path, sizeof(path), "%s/counter", dir);
	snprintf(bad, sizeof(bad), "%s/bad", dir);
	snprintf(lost, sizeof(lost), "%s/no-such-dir/counter", dir);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	c = counter_file_open(path, &err);
	ok(c && value_of(c) == 0, "file: a counter file that does not exist reads 0");
	ok(!counter_advance(c, 5, &err) && value_of(c) == 5 && file_size(path) == 4096 + 48 &&
	   slot_holds(path, 0, 5) && slot_holds(path, 1, 5) && access(tmp, F_OK),
	   "file: advanced to 5, both slots say 5 (nothing left beside the file)");
	ok(!counter_advance(c, 3, &err) && value_of(c) == 5, "file: advancing to 3 leaves 5");
	counter_close(c);
	c = counter_file_open(path, &err);
	ok(c && value_of(c) == 5, "file: reopened, it reads 5");
	counter_close(c);
	f = fopen(bad, "w");
	fputs("5x\n", f);
	fclose(f);
	c = counter_file_open(bad, &err);
	ok(c && counter_read(c, &(uint64_t){ 0 }, &err) == -EBADMSG && strstr(err.msg, bad),
	   "file: a file that does not hold a number is refused (%s)", err.msg);
	counter_close(c);
	cs_err_clear(&err);
	c = counter_file_open(lost, &err);
	ok(c && counter_advance(c, 1, &err) == -ENOENT && strstr(err.msg, lost),
	   "file: one in a missing directory cannot advance (%s)", err.msg);
	counter_close(c);
}

/* An advance rewrites the slot that does not hold the value, in place; a
 * slot torn by a power cut is skipped and rewritten next. */
static void test_file_slots(void)
{
	char path[256], err_path[256];
	struct cs_err err = { 0 };
	struct counter *c;
	ino_t ino;

	snprintf(path, sizeof(path), "%s/slots", dir);
	c = counter_file_open(path, &err);
	ok(c && !counter_advance(c, 5, &err), "slots: a new counter at 5");
	ino = inode_of(path);
	ok(!counter_advance(c, 6, &err) && value_of(c) == 6 && slot_holds(path, 1, 6) &&
	   slot_holds(path, 0, 5) && inode_of(path) == ino,
	   "slots: 6 written over slot 1 in place (same file), slot 0 keeps 5");
	ok(!counter_advance(c, 7, &err) && value_of(c) == 7 && slot_holds(path, 0, 7) &&
	   slot_holds(path, 1, 6) && inode_of(path) == ino,
	   "slots: 7 written over slot 0, which held the lesser value");
	/* a power cut while 8 was written over slot 1: half of it there */
	write_at(path, 4096 + 18, "0000000000", "r+");
	ok(value_of(c) == 7, "slots: a torn slot 1 is skipped: the counter reads 7, not less");
	ok(!counter_advance(c, 9, &err) && value_of(c) == 9 && slot_holds(path, 1, 9) &&
	   slot_holds(path, 0, 7), "slots: 9 rewrites the torn slot, slot 0 keeps 7");
	/* a value changed without its check (a bit flip): that slot is skipped */
	write_at(path, 18 + 18, "9", "r+");
	ok(value_of(c) == 9, "slots: a slot whose check fails (7 changed to 97) is skipped");
	write_at(path, 4096, "credstore-counter 9", "r+");
	ok(counter_read(c, &(uint64_t){ 0 }, &err) == -EBADMSG && strstr(err.msg, "slots"),
	   "slots: neither slot passes: refused (%s)", err.msg);
	cs_err_clear(&err);
	ok(counter_advance(c, 10, &err) == -EBADMSG && file_size(path) == 4096 + 48 &&
	   inode_of(path) == ino, "slots: nor advanced over (%s)", err.msg);
	cs_err_clear(&err);
	counter_close(c);

	/* the first format, the value and a newline: read, then written in slots */
	write_at(path, 0, "41\n", "w");
	c = counter_file_open(path, &err);
	ok(c && value_of(c) == 41 && !counter_advance(c, 40, &err) && file_size(path) == 3,
	   "slots: a file of the first format reads 41, and advancing to 40 leaves it");
	ok(!counter_advance(c, 42, &err) && value_of(c) == 42 && file_size(path) == 4096 + 48 &&
	   slot_holds(path, 0, 42) && slot_holds(path, 1, 42),
	   "slots: advanced to 42, it is written whole in slots");
	counter_close(c);
	snprintf(err_path, sizeof(err_path), "%s/long", dir);
	write_at(err_path, 0, "1234567890123456789012\n", "w");
	c = counter_file_open(err_path, &err);
	ok(c && counter_read(c, &(uint64_t){ 0 }, &err) == -EBADMSG,
	   "slots: a number longer than any counter is refused");
	counter_close(c);
	cs_err_clear(&err);
}

static bool read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	bool ok = f && fread(buf, 1, len, f) == len;

	if (f)
		fclose(f);
	return ok;
}

static bool write_file(const char *path, const char *buf, size_t len)
{
	FILE *f = fopen(path, "w");
	bool ok = f && fwrite(buf, 1, len, f) == len;

	return f && !fclose(f) && ok;
}

/* A power cut at every byte of a slot's rewrite, from its start (the
 * first k bytes new) and from its end (the last k): the counter reads the
 * value before or the new one, never less, and advances from there. */
static void test_file_torn_everywhere(void)
{
	enum { LEN = 4096 + 48 };
	static char before[LEN], after[LEN], torn[LEN];
	char path[256];
	struct counter *c;
	int wrong = 0, lost = 0, cuts = 0;

	snprintf(path, sizeof(path), "%s/torn", dir);
	c = counter_file_open(path, NULL);
	/* 5 then 6: slot 1 holds 6, slot 0 (5) is the one 7 rewrites */
	if (!c || counter_advance(c, 5, NULL) || counter_advance(c, 6, NULL) ||
	    !read_file(path, before, LEN) || counter_advance(c, 7, NULL) || !read_file(path, after, LEN)) {
		ok(0, "torn: cannot set up");
		counter_close(c);
		return;
	}
	for (int from_end = 0; from_end < 2; from_end++) {
		for (int k = 0; k <= 48; k++, cuts++) {
			int off = from_end ? 48 - k : 0;
			uint64_t v = 0;

			memcpy(torn, before, LEN);
			memcpy(torn + off, after + off, (size_t)k);
			if (!write_file(path, torn, LEN) || counter_read(c, &v, NULL) ||
			    (v != 6 && v != 7) || (v == 7 && memcmp(torn, after, LEN)))
				wrong++;
			else if (counter_advance(c, 8, NULL) || value_of(c) != 8)
				lost++;
		}
	}
	ok(!wrong && !lost, "torn: a cut at each of %d points of a slot's rewrite reads 6 or 7 "
	   "(7 only when whole), then advances to 8 (wrong: %d, not advanced: %d)", cuts, wrong,
	   lost);
	counter_close(c);
}

/* FORMAT.md's example slot, written by hand into both places: the
 * format documented is the one read. */
static void test_file_documented(void)
{
	static const char slot[] = "credstore-counter 00000000000000000042 a04d2890\n";
	char path[256];
	struct counter *c;

	snprintf(path, sizeof(path), "%s/documented", dir);
	write_at(path, 0, slot, "w");
	write_at(path, 4096, slot, "r+");
	c = counter_file_open(path, NULL);
	ok(c && file_size(path) == 4096 + 48 && value_of(c) == 42,
	   "slots: a file made from FORMAT.md's example reads 42");
	counter_close(c);
}

/* Without SHA-256 (a configuration with no provider that has it, or
 * OpenSSL out of memory) a slot's check cannot be made: an advance must
 * fail, not write a slot that fails its check later (the advance lost,
 * or a new file that holds no counter), and a read must not call a good
 * file foreign.  This program run again with --no-digest: the "null"
 * provider loaded alone keeps OpenSSL's default one away, in a process
 * that has fetched no digest yet (a fetched one stays cached). */
static int no_digest(const char *path, const char *fresh)
{
	struct counter *c = counter_file_open(path, NULL), *n = counter_file_open(fresh, NULL);
	OSSL_PROVIDER *null = OSSL_PROVIDER_load(NULL, "null");
	uint64_t v = 0;
	int bad;

	if (!c || !n || !null)
		return 8;
	/* a bit per call that did not fail as it should */
	bad = (counter_advance(c, 50, NULL) != -ENOMEM) |
	      (counter_advance(n, 1, NULL) != -ENOMEM) << 1 |
	      (counter_read(c, &v, NULL) != -ENOMEM) << 2;
	counter_close(c);
	counter_close(n);
	OSSL_PROVIDER_unload(null);
	return bad;
}

static const char *self;	/* argv[0]: this program, run again */

static void test_file_no_digest(void)
{
	char path[256], fresh[256];
	struct counter *c;
	int status = -1;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/nodigest", dir);
	snprintf(fresh, sizeof(fresh), "%s/nodigest-new", dir);
	c = counter_file_open(path, NULL);
	ok(c && !counter_advance(c, 42, NULL) && !counter_advance(c, 43, NULL),
	   "no digest: a counter at 43");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		/* by its path, not /proc/self/exe: under valgrind that is
		 * valgrind's own tool, which refuses to be run directly */
		execl(self, self, "--no-digest", path, fresh, (char *)NULL);
		_exit(16);
	}
	if (pid > 0 && waitpid(pid, &status, 0) != pid)
		status = -1;
	ok(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "no digest: advances (a slot, a new file) and a read fail, -ENOMEM (exit %d)",
	   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	ok(value_of(c) == 43 && slot_holds(path, 1, 43) && slot_holds(path, 0, 42) &&
	   access(fresh, F_OK) && access(path, F_OK) == 0,
	   "no digest: the file is as it was, no new file made");
	counter_close(c);
}

static pid_t swtpm;
static char tcti[300];

/* Whether swtpm listens on PATH yet: the socket file appears at bind(),
 * before listen(), so only a connection tells. */
static bool listening(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool up;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	up = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	if (fd >= 0)
		close(fd);
	return up;
}

static bool start_swtpm(void)
{
	char state[256], server[320], ctrl[320], sock[280];

	snprintf(state, sizeof(state), "dir=%s", dir);
	snprintf(sock, sizeof(sock), "%s/tpm.sock", dir);
	snprintf(server, sizeof(server), "type=unixio,path=%s", sock);
	snprintf(ctrl, sizeof(ctrl), "type=unixio,path=%s.ctrl", sock);
	snprintf(tcti, sizeof(tcti), "swtpm:path=%s", sock);
	unlink(sock);
	swtpm = fork();
	if (!swtpm) {
		freopen("/dev/null", "w", stderr);	/* a line per connection */
		execlp("swtpm", "swtpm", "socket", "--tpm2", "--tpmstate", state, "--server",
		       server, "--ctrl", ctrl, "--flags", "not-need-init,startup-clear", NULL);
		_exit(127);
	}
	/* Up to 10 s: a loaded CI machine starts it slowly. */
	for (int i = 0; i < 500 && !listening(sock); i++)
		usleep(20000);
	return listening(sock);
}

static void stop_swtpm(void)
{
	if (swtpm > 0) {
		kill(swtpm, SIGTERM);
		waitpid(swtpm, NULL, 0);
	}
	swtpm = 0;
}

/* tpm2-tools' view of the counter: its value, or -1. */
static long long tools_value(void)
{
	char cmd[512];
	unsigned char b[8];
	long long v = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "TPM2TOOLS_TCTI='%s' tpm2_nvread 0x%x 2>/dev/null", tcti,
		 NV_INDEX);
	p = popen(cmd, "r");
	if (!p || fread(b, 1, 8, p) != 8)
		v = -1;
	for (int i = 0; v >= 0 && i < 8; i++)
		v = v << 8 | b[i];
	if (p)
		pclose(p);
	return v;
}

static void test_tpm(void)
{
	struct cs_err err = { 0 };
	struct counter *c;
	char cmd[512];

	if (system("command -v swtpm >/dev/null && command -v tpm2_nvread >/dev/null")) {
		ok(1, "tpm # SKIP swtpm or tpm2-tools missing (make deps installs them)");
		return;
	}
	ok(start_swtpm(), "tpm: swtpm is up");
	c = counter_tpm_open(NV_INDEX, tcti, &err);
	ok(c && value_of(c) == 0, "tpm: the index is defined on first use and reads 0");
	ok(c && !counter_advance(c, 1, &err) && value_of(c) == 1 && tools_value() == 1,
	   "tpm: advanced to 1; tpm2_nvread says 1 too");
	ok(c && !counter_advance(c, 4, &err) && value_of(c) == 4, "tpm: advanced to 4");
	ok(c && !counter_advance(c, 2, &err) && value_of(c) == 4, "tpm: advancing to 2 leaves 4");
	ok(c && counter_advance(c, 5 + COUNTER_TPM_INCREMENTS_MAX, &err) == -ERANGE &&
	   value_of(c) == 4, "tpm: a target more than %d increments away is refused, nothing "
	   "incremented (%s)", COUNTER_TPM_INCREMENTS_MAX, err.msg);
	counter_close(c);
	stop_swtpm();
	start_swtpm();
	cs_err_clear(&err);
	c = counter_tpm_open(NV_INDEX, tcti, &err);
	ok(c && value_of(c) == 4 && tools_value() == 4,
	   "tpm: after a restart of the TPM it reads what it reached");
	counter_close(c);
	snprintf(cmd, sizeof(cmd), "TPM2TOOLS_TCTI='%s' tpm2_nvdefine -C o -s 8 -a "
		 "'ownerread|ownerwrite|authread|authwrite' 0x%x >/dev/null", tcti, NV_PLAIN);
	cs_err_clear(&err);
	ok(!system(cmd) && !counter_tpm_open(NV_PLAIN, tcti, &err) && err.code == EMEDIUMTYPE,
	   "tpm: an ordinary NV index is refused (%s)", err.msg);
	stop_swtpm();
	cs_err_clear(&err);
	ok(!counter_tpm_open(NV_INDEX, tcti, &err) && err.code && strstr(err.msg, "TPM NV counter"),
	   "tpm: no TPM behind the TCTI: a clear error (%s)", err.msg);
}

int main(int argc, char **argv)
{
	char cmd[300];

	if (argc == 4 && !strcmp(argv[1], "--no-digest"))
		return no_digest(argv[2], argv[3]);
	self = argv[0];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!mkdtemp(dir))
		return 2;
	test_file();
	test_file_slots();
	test_file_documented();
	test_file_torn_everywhere();
	test_file_no_digest();
	test_tpm();
	stop_swtpm();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	system(cmd);
	return tap_done();
}
