/*
 * bench_proc.c - whole-process cost of a command: median wall time and
 * median peak RSS over RUNS runs, measured from a small parent with
 * posix_spawn and wait4 (a large parent would inflate the child's RSS).
 *
 *   bench_proc RUNS CMD [ARGS...]   ->   "wall_ms=.. peak_rss_kib=.."
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int runs = argc > 2 ? atoi(argv[1]) : 0, i;
	double *wall, *rss;
	posix_spawn_file_actions_t fa;

	if (runs < 1) {
		fprintf(stderr, "usage: bench_proc RUNS CMD [ARGS...]\n");
		return 2;
	}
	wall = calloc((size_t)runs, sizeof(*wall));
	rss = calloc((size_t)runs, sizeof(*rss));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	for (i = 0; i < runs; i++) {
		struct timespec t0, t1;
		struct rusage ru;
		pid_t pid;
		int status;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (posix_spawn(&pid, argv[2], &fa, NULL, argv + 2, environ)) {
			perror("posix_spawn");
			return 1;
		}
		if (wait4(pid, &status, 0, &ru) < 0) {
			perror("wait4");
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		wall[i] = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
			  (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		rss[i] = (double)ru.ru_maxrss;
	}
	qsort(wall, (size_t)runs, sizeof(*wall), cmp);
	qsort(rss, (size_t)runs, sizeof(*rss), cmp);
	printf("wall_ms=%.2f peak_rss_kib=%.0f\n", wall[runs / 2],
	       rss[runs / 2]);
	posix_spawn_file_actions_destroy(&fa);
	free(wall);
	free(rss);
	return 0;
}
