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

#include "common/sha2.h"
#include "fmgr.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(migrate_checksum);

/*
 * Starts a SHA-256 checksum; checksum_add_text() and checksum_add_int64()
 * feed it, checksum_end() returns it.
 */
pg_cryptohash_ctx *
checksum_begin(void)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);

	if (pg_cryptohash_init(ctx) < 0)
		elog(ERROR, "could not initialize SHA-256 checksum: %s",
			 pg_cryptohash_error(ctx));
	return ctx;
}

/*
 * Feeds bytes into the checksum.
 */
static void
checksum_add_bytes(pg_cryptohash_ctx *ctx, const uint8 *bytes, size_t len)
{
	if (pg_cryptohash_update(ctx, bytes, len) < 0)
		elog(ERROR, "could not update SHA-256 checksum: %s",
			 pg_cryptohash_error(ctx));
}

/*
 * Feeds a number into the checksum, as 8 bytes, most significant first.
 */
void
checksum_add_int64(pg_cryptohash_ctx *ctx, int64 value)
{
	uint8		bytes[8];
	int			i;

	for (i = 0; i < 8; i++)
		bytes[i] = (uint8) ((uint64) value >> (8 * (7 - i)));
	checksum_add_bytes(ctx, bytes, sizeof(bytes));
}

/*
 * Feeds one text into the checksum as an 8-byte length followed by its
 * bytes, so that no two different sequences of texts hash the same input.
 * NULL gets a length no text can have.
 */
void
checksum_add_text(pg_cryptohash_ctx *ctx, const char *value)
{
	uint64		len = value ? strlen(value) : PG_UINT64_MAX;

	checksum_add_int64(ctx, (int64) len);
	if (value)
		checksum_add_bytes(ctx, (const uint8 *) value, len);
}

/*
 * Ends the checksum and returns it as lower-case hex, palloc'd in the
 * current memory context.
 */
char *
checksum_end(pg_cryptohash_ctx *ctx)
{
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	char	   *hex;
	uint64		hexlen;

	if (pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not finalize SHA-256 checksum: %s",
			 pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);

	hex = palloc(PG_SHA256_DIGEST_LENGTH * 2 + 1);
	hexlen = hex_encode((const char *) digest, PG_SHA256_DIGEST_LENGTH, hex);
	hex[hexlen] = '\0';
	return hex;
}

/*
 * Returns the lower-case hex SHA-256 of a definition's name, up and down
 * (down may be NULL), palloc'd in the current memory context.
 */
char *
checksum_definition(const char *name, const char *up, const char *down)
{
	pg_cryptohash_ctx *ctx = checksum_begin();

	checksum_add_text(ctx, name);
	checksum_add_text(ctx, up);
	checksum_add_text(ctx, down);
	return checksum_end(ctx);
}

/*
 * Returns the text argument as a C string, or NULL for a NULL argument.
 */
static char *
checksum_arg(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno))
		return NULL;
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/*
 * migrate_checksum(name, up, down): the checksum of a definition, as the
 * generated column migrate_migrations.checksum computes it from the row.
 * Reads no catalog, so it works whatever version the catalog has.
 */
Datum
migrate_checksum(PG_FUNCTION_ARGS)
{
	char	   *checksum;

	checksum = checksum_definition(checksum_arg(fcinfo, 0),
								   checksum_arg(fcinfo, 1),
								   checksum_arg(fcinfo, 2));
	PG_RETURN_TEXT_P(cstring_to_text(checksum));
}
