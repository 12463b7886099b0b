/*-------------------------------------------------------------------------
 *
 * params.c
 *	  The arguments of migrate_load() for a folder's migrations: one array
 *	  per field (versions, names, ups, downs, ...), sent in PostgreSQL's
 *	  binary array format, so that the server reads the whole set without
 *	  parsing any text.
 *
 * The binary format of a one-dimensional array is: the number of
 * dimensions (1), a flag saying whether any element is NULL, the element
 * type's OID, the number of elements and the lower bound (1), then each
 * element as its length (-1 for NULL) and its bytes; every integer in
 * network byte order.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

#include "catalog/pg_type_d.h"
#include "common/cryptohash.h"
#include "common/logging.h"
#include "common/sha2.h"
#include "port/pg_bswap.h"

/* Where the "has NULLs" flag lies in the array's header */
#define ARRAY_NULLS_FLAG_OFFSET 4

static void array_begin(PQExpBuffer buf, Oid elemtype, int count);
static void array_int32(PQExpBuffer buf, int32 value);
static void array_add_null(PQExpBuffer buf);
static void array_add_text(PQExpBuffer buf, const char *value);
static void array_add_int8(PQExpBuffer buf, int64 value);
static void array_add_int4(PQExpBuffer buf, int32 value);
static void array_add_bool(PQExpBuffer buf, bool value);
static void checksum_bytes(pg_cryptohash_ctx *ctx, const void *bytes, size_t len);
static void checksum_int64(pg_cryptohash_ctx *ctx, int64 value);
static void checksum_text(pg_cryptohash_ctx *ctx, const char *value);

/*
 * Appends a 32-bit integer in network byte order.
 */
static void
array_int32(PQExpBuffer buf, int32 value)
{
	uint32		n = pg_hton32((uint32) value);

	appendBinaryPQExpBuffer(buf, (const char *) &n, sizeof(n));
}

/*
 * Starts a one-dimensional array of count elements of type elemtype, with
 * no NULL element (array_add_null() sets the flag).
 */
static void
array_begin(PQExpBuffer buf, Oid elemtype, int count)
{
	initPQExpBuffer(buf);
	array_int32(buf, 1);		/* dimensions */
	array_int32(buf, 0);		/* has NULLs */
	array_int32(buf, (int32) elemtype);
	array_int32(buf, count);
	array_int32(buf, 1);		/* lower bound */
}

/*
 * Appends a NULL element, and says in the header that there is one.
 */
static void
array_add_null(PQExpBuffer buf)
{
	uint32		one = pg_hton32(1);

	memcpy(buf->data + ARRAY_NULLS_FLAG_OFFSET, &one, sizeof(one));
	array_int32(buf, -1);
}

/*
 * Appends a text element, or NULL.
 */
static void
array_add_text(PQExpBuffer buf, const char *value)
{
	size_t		len;

	if (value == NULL)
	{
		array_add_null(buf);
		return;
	}
	len = strlen(value);
	array_int32(buf, (int32) len);
	appendBinaryPQExpBuffer(buf, value, len);
}

/*
 * Appends a bigint element.
 */
static void
array_add_int8(PQExpBuffer buf, int64 value)
{
	uint64		n = pg_hton64((uint64) value);

	array_int32(buf, sizeof(n));
	appendBinaryPQExpBuffer(buf, (const char *) &n, sizeof(n));
}

/*
 * Appends an integer element.
 */
static void
array_add_int4(PQExpBuffer buf, int32 value)
{
	array_int32(buf, sizeof(int32));
	array_int32(buf, value);
}

/*
 * Appends a boolean element.
 */
static void
array_add_bool(PQExpBuffer buf, bool value)
{
	char		b = value ? 1 : 0;

	array_int32(buf, 1);
	appendBinaryPQExpBuffer(buf, &b, 1);
}

/*
 * Fills params with the first LOAD_ARRAY_PARAMS arguments of the array form
 * of migrate_load() for the set: versions, names, ups, downs (NULL: derive
 * the down), transactional (NULL: detect), files, up_lines, down_lines and
 * down_files (NULL: the down is in the up's file).
 * params_free() releases them.
 */
void
params_for_load(const MigrationSet *set, LoadParams *params)
{
	PQExpBufferData arrays[LOAD_ARRAY_PARAMS];
	int			i;

	array_begin(&arrays[0], INT8OID, set->count);
	array_begin(&arrays[1], TEXTOID, set->count);
	array_begin(&arrays[2], TEXTOID, set->count);
	array_begin(&arrays[3], TEXTOID, set->count);
	array_begin(&arrays[4], BOOLOID, set->count);
	array_begin(&arrays[5], TEXTOID, set->count);
	array_begin(&arrays[6], INT4OID, set->count);
	array_begin(&arrays[7], INT4OID, set->count);
	array_begin(&arrays[8], TEXTOID, set->count);
	for (i = 0; i < set->count; i++)
	{
		const MigrationFile *f = &set->files[i];

		array_add_int8(&arrays[0], f->version);
		array_add_text(&arrays[1], f->name);
		array_add_text(&arrays[2], f->up);
		array_add_text(&arrays[3], f->down);
		if (f->transactional < 0)
			array_add_null(&arrays[4]);
		else
			array_add_bool(&arrays[4], f->transactional != 0);
		array_add_text(&arrays[5], f->path);
		array_add_int4(&arrays[6], f->up_line);
		array_add_int4(&arrays[7], f->down_line);
		array_add_text(&arrays[8], f->down_path);
	}
	for (i = 0; i < LOAD_ARRAY_PARAMS; i++)
	{
		if (PQExpBufferBroken(&arrays[i]))
			pg_fatal("out of memory");
		params->values[i] = arrays[i].data;
		params->lengths[i] = (int) arrays[i].len;
		params->formats[i] = 1;
	}
}

/*
 * Releases what params_for_load() allocated.
 */
void
params_free(LoadParams *params)
{
	int			i;

	for (i = 0; i < LOAD_ARRAY_PARAMS; i++)
		free(params->values[i]);
}

/*
 * Feeds bytes into the set's checksum.
 */
static void
checksum_bytes(pg_cryptohash_ctx *ctx, const void *bytes, size_t len)
{
	if (pg_cryptohash_update(ctx, (const uint8 *) bytes, len) < 0)
		pg_fatal("could not compute a SHA-256 checksum: %s", pg_cryptohash_error(ctx));
}

/*
 * Feeds a number into the set's checksum, as 8 bytes, most significant
 * first.
 */
static void
checksum_int64(pg_cryptohash_ctx *ctx, int64 value)
{
	uint64		n = pg_hton64((uint64) value);

	checksum_bytes(ctx, &n, sizeof(n));
}

/*
 * Feeds a text into the set's checksum: its length, then its bytes; NULL
 * has a length no text can have.
 */
static void
checksum_text(pg_cryptohash_ctx *ctx, const char *value)
{
	checksum_int64(ctx, value ? (int64) strlen(value) : -1);
	if (value)
		checksum_bytes(ctx, value, strlen(value));
}

/*
 * Returns the checksum of the set as migrate_load() computes it for the
 * arguments params_for_load() gives (the server's load_set_checksum()),
 * in lower-case hex: what migrate_load_unchanged() takes.  The set is in
 * version order.
 */
char *
params_set_checksum(const MigrationSet *set)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	char	   *hex = pg_malloc(PG_SHA256_DIGEST_LENGTH * 2 + 1);
	int			i;

	if (ctx == NULL || pg_cryptohash_init(ctx) < 0)
		pg_fatal("could not compute a SHA-256 checksum");
	for (i = 0; i < set->count; i++)
	{
		const MigrationFile *f = &set->files[i];

		checksum_int64(ctx, f->version);
		checksum_text(ctx, f->name);
		checksum_text(ctx, f->up);
		checksum_text(ctx, f->down);
		checksum_int64(ctx, f->transactional < 0 ? -1 : f->transactional != 0);
		checksum_text(ctx, NULL);	/* no rules given apart from the bodies' */
	}
	if (pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		pg_fatal("could not compute a SHA-256 checksum: %s", pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);
	for (i = 0; i < PG_SHA256_DIGEST_LENGTH; i++)
		sprintf(hex + 2 * i, "%02x", digest[i]);
	return hex;
}
