/*-------------------------------------------------------------------------
 *
 * checksum.c
 *	  SHA-256 checksum of a migration definition, with the server's own
 *	  cryptohash implementation.
 *
 *-------------------------------------------------------------------------
 */
#include "migrate.h"
#include "catalog.h"

#include "common/cryptohash.h"
#include "common/sha2.h"
#include "utils/builtins.h"

static void checksum_add_field(pg_cryptohash_ctx *ctx, const char *value);

/*
 * Feeds one field into the hash as an 8-byte length followed by its bytes,
 * so that no two different (name, up, down) triples hash the same input.  A
 * NULL field gets a length no text can have.
 */
static void
checksum_add_field(pg_cryptohash_ctx *ctx, const char *value)
{
	uint64		len = value ? strlen(value) : PG_UINT64_MAX;
	uint8		lenbytes[8];
	int			i;

	for (i = 0; i < 8; i++)
		lenbytes[i] = (uint8) (len >> (8 * (7 - i)));
	if (pg_cryptohash_update(ctx, lenbytes, sizeof(lenbytes)) < 0 ||
		(value && pg_cryptohash_update(ctx, (const uint8 *) value, strlen(value)) < 0))
		elog(ERROR, "could not update SHA-256 checksum: %s",
			 pg_cryptohash_error(ctx));
}

/*
 * Returns the lower-case hex SHA-256 of a definition's name, up and down
 * (down may be NULL), palloc'd in the current memory context.
 */
char *
checksum_definition(const char *name, const char *up, const char *down)
{
	pg_cryptohash_ctx *ctx;
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	char	   *hex;
	uint64		hexlen;

	ctx = pg_cryptohash_create(PG_SHA256);
	if (pg_cryptohash_init(ctx) < 0)
		elog(ERROR, "could not initialize SHA-256 checksum: %s",
			 pg_cryptohash_error(ctx));
	checksum_add_field(ctx, name);
	checksum_add_field(ctx, up);
	checksum_add_field(ctx, down);
	if (pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not finalize SHA-256 checksum: %s",
			 pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);

	hex = palloc(PG_SHA256_DIGEST_LENGTH * 2 + 1);
	hexlen = hex_encode((const char *) digest, PG_SHA256_DIGEST_LENGTH, hex);
	hex[hexlen] = '\0';
	return hex;
}
