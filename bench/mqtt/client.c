/* mqtt-bench-client: MQTT connects per second against one broker.  Each
 * thread connects with a random line of the users file ("USERNAME
 * PASSWORD [CLIENT-ID]"), waits for the CONNACK, disconnects, and counts
 * the accepted ones.  Prints "CONNECTS REFUSED".
 * usage: mqtt-bench-client PORT SECONDS THREADS USERS-FILE */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <mosquitto.h>

#define USERS_MAX 100000

struct user {
	char name[64], password[80], client_id[96];
};

static struct user *users;
static size_t n_users;
static int port;
static double deadline;

struct worker {
	pthread_t thread;
	unsigned int seed;
	long connects, refused;
	int answer;			/* -1 waiting, else the CONNACK code */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_connect(struct mosquitto *m, void *arg, int rc)
{
	(void)m;
	((struct worker *)arg)->answer = rc;
}

static void one_connect(struct worker *w, struct mosquitto *m)
{
	const struct user *u = &users[(size_t)rand_r(&w->seed) % n_users];

	mosquitto_reinitialise(m, u->client_id[0] ? u->client_id : NULL, true, w);
	mosquitto_connect_callback_set(m, on_connect);
	mosquitto_username_pw_set(m, u->name, u->password);
	w->answer = -1;
	if (mosquitto_connect(m, "127.0.0.1", port, 60) != MOSQ_ERR_SUCCESS) {
		w->refused++;
		return;
	}
	for (int i = 0; i < 50 && w->answer < 0; i++)
		if (mosquitto_loop(m, 100, 1) != MOSQ_ERR_SUCCESS)
			break;
	if (w->answer == 0)
		w->connects++;
	else
		w->refused++;
	mosquitto_disconnect(m);
	for (int i = 0; i < 10 && mosquitto_loop(m, 10, 1) == MOSQ_ERR_SUCCESS; i++)
		;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	struct mosquitto *m = mosquitto_new(NULL, true, w);

	while (m && now() < deadline)
		one_connect(w, m);
	mosquitto_destroy(m);
	return NULL;
}

static int load_users(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[300];

	users = calloc(USERS_MAX, sizeof(*users));
	if (!f || !users)
		return -1;
	while (n_users < USERS_MAX && fgets(line, sizeof(line), f)) {
		struct user *u = &users[n_users];

		if (sscanf(line, "%63s %79s %95s", u->name, u->password, u->client_id) >= 2)
			n_users++;
	}
	fclose(f);
	return n_users ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct worker *w;
	long connects = 0, refused = 0;
	int threads;

	if (argc != 5 || load_users(argv[4])) {
		fprintf(stderr, "usage: mqtt-bench-client PORT SECONDS THREADS USERS-FILE\n");
		return 2;
	}
	port = atoi(argv[1]);
	threads = atoi(argv[3]);
	w = calloc((size_t)threads, sizeof(*w));
	mosquitto_lib_init();
	deadline = now() + atof(argv[2]);
	for (int i = 0; i < threads; i++) {
		w[i].seed = (unsigned int)(time(NULL) ^ (i * 7919));
		pthread_create(&w[i].thread, NULL, run, &w[i]);
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(w[i].thread, NULL);
		connects += w[i].connects;
		refused += w[i].refused;
	}
	mosquitto_lib_cleanup();
	printf("%ld %ld\n", connects, refused);
	free(w);
	free(users);
	return 0;
}
