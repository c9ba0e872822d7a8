/*
 * bench_data.c - the data checker's throughput on a local CSV file: the
 * file is read with read(2) in 1 MiB chunks (as the ranged GETs deliver
 * S3 objects) and fed to the checker at level full, as an Interactions
 * object with one solution that trains on every event.
 *
 *   bench_data FILE   ->   "rows=.. errors=.. seconds=.. mib_per_s=.."
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/node.h"
#include "providers/personalize/datacheck.h"

static const char schema_json[] =
    "{\"type\":\"record\",\"name\":\"Interactions\",\"namespace\":"
    "\"com.amazonaws.personalize.schema\",\"fields\":["
    "{\"name\":\"USER_ID\",\"type\":\"string\"},"
    "{\"name\":\"ITEM_ID\",\"type\":\"string\"},"
    "{\"name\":\"TIMESTAMP\",\"type\":\"long\"},"
    "{\"name\":\"EVENT_TYPE\",\"type\":\"string\"},"
    "{\"name\":\"EVENT_VALUE\",\"type\":[\"null\",\"float\"]}],"
    "\"version\":\"1.0\"}";

int main(int argc, char **argv)
{
	struct pz_avro_schema *s = NULL;
	struct pz_doc *doc = NULL;
	struct pz_diags d;
	struct pz_dc *dc;
	struct pz_dc_obj *o;
	struct timespec t0, t1;
	char *buf;
	ssize_t n;
	uint64_t bytes = 0;
	bool eof = true;
	double sec;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_data FILE\n");
		return 2;
	}
	pz_diags_init(&d);
	if (pz_doc_load(&doc, "s.json", schema_json, strlen(schema_json), &d) ||
	    pz_avro_check(&s, "s.json", doc->root, "Interactions", NULL, &d)) {
		fprintf(stderr, "bench_data: bad schema\n");
		return 1;
	}
	if ((fd = open(argv[1], O_RDONLY)) < 0) {
		perror(argv[1]);
		return 1;
	}
	buf = malloc(1 << 20);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	dc = pz_dc_new(s, "s.json", "Interactions", argv[1], PZ_DC_FULL, true,
		       (long long)time(NULL));
	pz_dc_add_solution(dc, "solution.bench", NULL,
			   (struct pz_pos){1, 1, 0});
	o = pz_dc_obj_add(dc, argv[1], "\"bench\"", 0);
	while ((n = read(fd, buf, 1 << 20)) > 0) {
		bytes += (uint64_t)n;
		if (pz_dc_obj_feed(o, buf, (size_t)n)) {
			eof = false;
			break;
		}
	}
	pz_dc_obj_finish(o, eof);
	pz_dc_finish(dc, &d, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	sec = (double)(t1.tv_sec - t0.tv_sec) +
	      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("bytes=%llu errors=%zu seconds=%.3f mib_per_s=%.0f\n",
	       (unsigned long long)bytes, d.nerrors, sec,
	       (double)bytes / (1 << 20) / sec);
	pz_dc_free(dc);
	pz_diags_release(&d);
	pz_avro_schema_free(s);
	pz_doc_free(doc);
	free(buf);
	close(fd);
	return d.nerrors ? 3 : 0;
}
