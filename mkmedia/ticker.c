/* SPDX-License-Identifier: MIT */
/*
 * ticker: see ticker.h.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/say.h"
#include "mkmedia/ticker.h"

struct ticker {
	struct progress	*p;
	pthread_t	 tid;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 stop;
	uint64_t	 start, total;
};

static uint64_t
rchar(void)
{
	char line[128];
	unsigned long long v = 0;
	FILE *f = fopen("/proc/self/io", "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "rchar: %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

static void *
tick(void *arg)
{
	struct ticker *t = arg;
	struct timespec ts;
	uint64_t done;

	pthread_mutex_lock(&t->mu);
	while (!t->stop) {
		done = rchar() - t->start;
		progress_update(t->p, done < t->total ? done : t->total);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 500000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&t->cv, &t->mu, &ts);
	}
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

struct ticker *
ticker_start(const char *label, uint64_t total)
{
	struct progress *p = progress_begin(label, total);
	struct ticker *t;

	if (p == NULL)
		return NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		progress_end(p);
		return NULL;
	}
	t->p = p;
	t->total = total;
	t->start = rchar();
	progress_update(p, 0);		/* at once: what is being done */
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, NULL);
	if (pthread_create(&t->tid, NULL, tick, t) != 0) {
		progress_end(p);
		free(t);
		return NULL;
	}
	return t;
}

void
ticker_stop(struct ticker *t)
{
	if (t == NULL)
		return;
	pthread_mutex_lock(&t->mu);
	t->stop = 1;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->tid, NULL);
	progress_end(t->p);
	pthread_cond_destroy(&t->cv);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

uint64_t
ticker_tree_bytes(const struct tree *t)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].type == TREE_FILE)
			n += t->v[i].size;
	return n;
}
