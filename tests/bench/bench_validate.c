/*
 * bench_validate.c - what `pz validate` costs, split into its stages.
 *
 *   bench_validate SPEC [RUNS]
 *
 * For each run: the parse alone (pz_doc_load: read + YAML/JSON into the
 * tree, the floor any validator pays) and the whole load and check
 * (pz_spec_load). Prints the medians, the ratio between them and the
 * arena bytes, as one line of key=value pairs for tests/bench/run.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/spec.h"
#include "providers/personalize/personalize.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int runs = argc > 2 ? atoi(argv[2]) : 20, i;
	double *parse, *full;
	size_t resources = 0, arena = 0;

	if (argc < 2 || runs < 1) {
		fprintf(stderr, "usage: bench_validate SPEC [RUNS]\n");
		return 2;
	}
	pz_personalize_register();
	parse = calloc((size_t)runs, sizeof(*parse));
	full = calloc((size_t)runs, sizeof(*full));
	for (i = 0; i < runs; i++) {
		struct pz_diags d;
		struct pz_doc *doc = NULL;
		struct pz_spec *spec = NULL;
		double t0;
		int r;

		pz_diags_init(&d);
		t0 = now_ms();
		r = pz_doc_load(&doc, argv[1], NULL, 0, &d);
		parse[i] = now_ms() - t0;
		if (r) {
			fprintf(stderr, "bench_validate: cannot parse %s\n",
				argv[1]);
			return 1;
		}
		arena = doc->arena.total;
		pz_doc_free(doc);
		t0 = now_ms();
		r = pz_spec_load(&spec, argv[1], NULL, 0, &d);
		full[i] = now_ms() - t0;
		if (r) {
			fprintf(stderr, "bench_validate: %s has %zu errors\n",
				argv[1], d.nerrors);
			return 1;
		}
		resources = spec->nresources;
		pz_spec_free(spec);
		pz_diags_release(&d);
	}
	qsort(parse, (size_t)runs, sizeof(*parse), cmp);
	qsort(full, (size_t)runs, sizeof(*full), cmp);
	printf("resources=%zu parse_ms=%.3f validate_ms=%.3f ratio=%.2f "
	       "tree_bytes=%zu runs=%d\n",
	       resources, parse[runs / 2], full[runs / 2],
	       full[runs / 2] / (parse[runs / 2] > 0 ? parse[runs / 2] : 1e-9),
	       arena, runs);
	free(parse);
	free(full);
	return 0;
}
