/* SPDX-License-Identifier: MIT */
/*
 * synth: a deterministic synthetic component that compresses like a real
 * pattern database: signature text (family names from a small vocabulary,
 * hex byte patterns, offsets), incompressible blobs (packed or encrypted
 * samples) and fixed-size binary records with small variations.
 *
 *   synth OUTDIR MIB VERSION
 *   synth sparse FILE VERSION
 *
 * writes OUTDIR/db/part-NNN.ndb (16 MiB each) and OUTDIR/sigs/NNNN.ldb
 * (256 small files, 1-16 KiB), MIB MiB in all.  The same arguments always
 * give the same bytes.  VERSION 2 is the "weekly update" of VERSION 1:
 * every eighth big file gets new signatures in its last quarter, 16 small
 * files change and one big file is added.
 *
 * `sparse` writes one binary record database of 4.5 MiB (73,728 records
 * of 64 bytes: id, offset, length, timestamp, flags, hash) whose VERSION
 * 2 changes the timestamp of 1,900 records and the hash of 130: a
 * suffix-array delta between them is one long match whose difference
 * stream is 4.5 MB with about 7,400 non-zero bytes (issue 19's shape).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BIG	(16u << 20)
#define BLOCK	(64u << 10)
#define NSMALL	256

static uint64_t
rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static const char *fam[] = {
	"Trojan.Win32.Agent", "Trojan.Downloader", "Worm.Autorun", "Adware.Gen",
	"Backdoor.Linux.Mirai", "Exploit.PDF", "Ransom.Lockbit", "PUA.Miner",
	"Phishing.HTML", "Heuristic.Macro", "Win.Packed.Upx", "Doc.Dropper",
	"Js.Obfus", "Andr.Spy.Agent", "Unix.Coinminer", "Email.Phish",
};

/* One 64 KiB block of kind chosen by the seed. */
static void
block(uint8_t *b, uint64_t *s)
{
	static const char hx[] = "0123456789abcdef";
	uint64_t k = rnd(s) % 100;
	size_t i = 0, j, n;

	if (k < 30) {			/* packed sample: random */
		for (i = 0; i + 8 <= BLOCK; i += 8) {
			uint64_t r = rnd(s);

			memcpy(b + i, &r, 8);
		}
		return;
	}
	if (k < 45) {			/* binary records, 32 bytes each */
		for (i = 0; i + 32 <= BLOCK; i += 32) {
			uint64_t r = rnd(s);

			memset(b + i, 0, 32);
			memcpy(b + i, "SIGR", 4);
			b[i + 4] = (uint8_t)(r & 7);
			memcpy(b + i + 8, &r, 4);
			b[i + 16] = (uint8_t)(i >> 5);
			b[i + 24] = (uint8_t)(r >> 40 & 3);
		}
		return;
	}
	while (i < BLOCK) {		/* signature text lines */
		char line[256];
		uint64_t r = rnd(s);
		int len;

		len = snprintf(line, sizeof(line), "%s-%u-%u:0:*:",
		    fam[r % 16], (unsigned)(r >> 8 & 0xffff),
		    (unsigned)(r >> 24 & 3));
		n = 16 + (r >> 32) % 48;
		for (j = 0; j < n && len < 240; j += 2) {
			uint64_t q = rnd(s);

			line[len++] = hx[q & 15];
			line[len++] = hx[q >> 4 & 15];
			if ((q >> 8) % 23 == 0 && len < 236)
				len += snprintf(line + len, 5, "{-%u}",
				    (unsigned)(q >> 12 & 7));
		}
		line[len++] = '\n';
		for (j = 0; j < (size_t)len && i < BLOCK; j++)
			b[i++] = (uint8_t)line[j];
	}
}

static int
write_file(const char *path, uint64_t size, uint64_t seed, uint64_t seed2,
    uint64_t from2)
{
	static uint8_t b[BLOCK];
	uint64_t s = seed, off;
	FILE *f;

	if ((f = fopen(path, "wb")) == NULL)
		return -1;
	for (off = 0; off < size; off += BLOCK) {
		size_t n = size - off < BLOCK ? (size_t)(size - off) : BLOCK;

		if (off == from2)
			s = seed2;
		block(b, &s);
		if (fwrite(b, 1, n, f) != n) {
			fclose(f);
			return -1;
		}
	}
	return fclose(f);
}

#define SP_N	73728u
#define SP_REC	64u

static int
sparse(const char *path, int ver)
{
	static uint8_t db[SP_N * SP_REC];
	uint64_t s = 19, r;
	uint32_t i, k, ts;
	FILE *f;

	memset(db, 0, sizeof(db));
	for (i = 0; i < SP_N; i++) {
		uint8_t *p = db + (size_t)i * SP_REC;

		r = rnd(&s);
		memcpy(p, &i, 4);				/* id */
		k = (uint32_t)(r & 0xffffff);
		memcpy(p + 8, &k, 4);				/* offset */
		k = 16 + (uint32_t)(r >> 24 & 4095);
		memcpy(p + 12, &k, 4);				/* length */
		ts = 1700000000u + (uint32_t)((r >> 36) % (86400u * 365));
		memcpy(p + 20, &ts, 4);				/* timestamp */
		p[24] = (uint8_t)"\x00\x01\x03\x10"[r >> 60 & 3];	/* flags */
		p[26] = (uint8_t)(rnd(&s) & 63);
		for (k = 0; k < 16; k += 8) {			/* hash */
			r = rnd(&s);
			memcpy(p + 28 + k, &r, 8);
		}
	}
	if (ver >= 2) {
		for (k = 0; k < 1900; k++) {
			uint8_t *p = db + (size_t)(rnd(&s) % SP_N) * SP_REC;

			memcpy(&ts, p + 20, 4);
			ts += 3600 + (uint32_t)(rnd(&s) % (3 * 86400));
			memcpy(p + 20, &ts, 4);
		}
		for (k = 0; k < 130; k++) {
			uint8_t *p = db + (size_t)(rnd(&s) % SP_N) * SP_REC;

			r = rnd(&s);
			memcpy(p + 28, &r, 8);
			r = rnd(&s);
			memcpy(p + 36, &r, 8);
		}
	}
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(db, 1, sizeof(db), f) != sizeof(db)) {
		if (f != NULL)
			fclose(f);
		return -1;
	}
	return fclose(f);
}

int
main(int argc, char **argv)
{
	char path[4096];
	uint64_t mib, total, small = 0, nbig, i, sz, seed;
	int ver;

	if (argc == 4 && strcmp(argv[1], "sparse") == 0) {
		if (sparse(argv[2], atoi(argv[3])) == 0)
			return 0;
		perror(argv[2]);
		return 1;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: synth OUTDIR MIB VERSION | synth sparse "
		    "FILE VERSION\n");
		return 2;
	}
	mib = strtoull(argv[2], NULL, 10);
	ver = atoi(argv[3]);
	total = mib << 20;
	snprintf(path, sizeof(path), "%s/db", argv[1]);
	if ((mkdir(argv[1], 0755) == -1 && errno != EEXIST) ||
	    (mkdir(path, 0755) == -1 && errno != EEXIST))
		goto fail;
	snprintf(path, sizeof(path), "%s/sigs", argv[1]);
	if (mkdir(path, 0755) == -1 && errno != EEXIST)
		goto fail;
	for (i = 0; i < NSMALL; i++) {
		seed = 0x9E3779B97F4A7C15ULL * (i + 1);
		sz = 1024 + rnd(&seed) % (15 * 1024);
		if (ver >= 2 && i % 16 == 0)
			seed ^= 0xfeed;
		snprintf(path, sizeof(path), "%s/sigs/%04u.ldb", argv[1],
		    (unsigned)i);
		if (write_file(path, sz, seed, seed, UINT64_MAX) == -1)
			goto fail;
		small += sz;
	}
	nbig = total > small ? (total - small + BIG - 1) / BIG : 1;
	for (i = 0; i < nbig + (ver >= 2); i++) {
		uint64_t last = total - small - (nbig - 1) * BIG;

		sz = i < nbig - 1 ? BIG : (i == nbig - 1 ? last : BIG / 4);
		seed = 0xD1B54A32D192ED03ULL * (i + 7);
		snprintf(path, sizeof(path), "%s/db/part-%03u.ndb", argv[1],
		    (unsigned)i);
		if (write_file(path, sz, seed, seed ^ (uint64_t)ver << 32,
		    ver >= 2 && i % 8 == 0 ? sz / 4 * 3 / BLOCK * BLOCK :
		    UINT64_MAX) == -1)
			goto fail;
	}
	return 0;
fail:
	perror(path);
	return 1;
}
