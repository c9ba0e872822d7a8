/*
 * replay.c - runs a fuzz target over every file of its corpus, so that
 * ctest checks that no input that was ever interesting crashes, leaks or
 * trips a sanitizer. Used when the target is not built with libFuzzer.
 *
 *   fuzz_NAME DIR_OR_FILE...
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	struct pz_buf b;
	int r;

	pz_buf_init(&b, 0);
	r = pz_buf_read_file(&b, path);
	if (r) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		pz_buf_release(&b);
		return 1;
	}
	/* A private copy of exactly the input's size, so ASan catches any
	 * read past its end. */
	{
		uint8_t *copy = malloc(b.len ? b.len : 1);

		memcpy(copy, b.ptr, b.len);
		LLVMFuzzerTestOneInput(copy, b.len);
		free(copy);
	}
	pz_buf_release(&b);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	int i, bad = 0;
	size_t count = 0;

	for (i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *e;
		char **names = NULL;
		size_t n = 0, cap = 0, k;

		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: no such file %s\n", argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			bad |= run_file(argv[i]);
			count++;
			continue;
		}
		d = opendir(argv[i]);
		if (!d)
			return 1;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				names = realloc(names, cap * sizeof(*names));
			}
			names[n++] = pz_xasprintf("%s/%s", argv[i], e->d_name);
		}
		closedir(d);
		qsort(names, n, sizeof(*names), cmp);
		for (k = 0; k < n; k++) {
			bad |= run_file(names[k]);
			free(names[k]);
		}
		free(names);
		count += n;
	}
	if (count == 0) {
		fprintf(stderr, "replay: empty corpus\n");
		return 1;
	}
	printf("replayed %zu inputs\n", count);
	return bad;
}
