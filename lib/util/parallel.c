/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * parallel.c - see parallel.h.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "util/parallel.h"

#define PARALLEL_MAX_THREADS 64

struct parallel_job {
        storvirt__parallel_fn fn;
        void *arg;
        size_t n, batch;
        atomic_size_t next;
};

static void *parallel_worker(void *p) {
        struct parallel_job *job = p;
        size_t i;

        while ((i = atomic_fetch_add(&job->next, job->batch)) < job->n)
                for (size_t k = i; k < job->n && k < i + job->batch; k++)
                        job->fn(job->arg, k);
        return NULL;
}

void storvirt__parallel_for(unsigned threads, size_t n, size_t batch,
                            storvirt__parallel_fn fn, void *arg) {
        struct parallel_job job = { .fn = fn, .arg = arg, .n = n, .batch = batch ? batch : 1 };
        pthread_t helpers[PARALLEL_MAX_THREADS];
        unsigned started = 0;

        atomic_init(&job.next, 0);
        if (threads > PARALLEL_MAX_THREADS)
                threads = PARALLEL_MAX_THREADS;
        /* No helper gets less than one batch to do. */
        while (threads > 1 && (size_t)threads * job.batch > n)
                threads--;
        for (unsigned t = 1; t < threads; t++)
                if (pthread_create(&helpers[started], NULL, parallel_worker, &job) == 0)
                        started++;
        parallel_worker(&job);
        for (unsigned t = 0; t < started; t++)
                pthread_join(helpers[t], NULL);
}
