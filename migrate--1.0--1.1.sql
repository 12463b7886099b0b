/* migrate--1.0--1.1.sql: upgrade of the migrate extension from 1.0 to 1.1 */

\echo Use "ALTER EXTENSION migrate UPDATE TO '1.1'" to load this file. \quit

/*
 * Internal views: the catalog queries of migrate_verify() and
 * migrate_status(), which the C code selects from as the extension owner,
 * with search_path pinned to pg_catalog, pg_temp (see src/catalog.c).
 *
 * A view stores its references resolved: the names below are looked up once,
 * when this script runs, under the search_path set here, so that every
 * function, operator, type and system catalog is pg_catalog's and nothing
 * can resolve through another schema, now or when the view is read.  The
 * extension's own tables are named through its schema.  What still depends
 * on search_path when a view is read is the text of the server's deparsers
 * (pg_get_viewdef() and the like), and the C code pins it.
 *
 * SET LOCAL ends with this script.
 */
SET LOCAL search_path = pg_catalog, pg_temp;

/*
 * ------------------------------------------------------------------------
 * The derived checksum.
 *
 * A migration's checksum is the hex SHA-256 of its name, up and down.  In
 * 1.0 it was a stored column that only the functions kept in step with the
 * content, so a row written by anyone else (a superuser's UPDATE, a dump
 * edited before its restore) could carry a checksum of other content, and
 * a changed applied migration went unnoticed.  Here it becomes a generated
 * column: the server computes it from the row itself on every write, and
 * nobody can set it.  The column is dropped and added again (PostgreSQL 15
 * cannot turn a column into a generated one), so it now comes last; the
 * rows are kept and their checksums computed from their content.  The
 * status view below reads the new column, so this comes first.
 * ------------------------------------------------------------------------
 */
CREATE FUNCTION @extschema@.migrate_checksum(name text, up text, down text)
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_checksum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.migrate_checksum(text, text, text) IS
    'internal: hex SHA-256 of a migration''s name, up and down (the checksum column)';

-- Only the table's generated column calls it, as the writer of the row.
REVOKE ALL ON FUNCTION @extschema@.migrate_checksum(text, text, text) FROM PUBLIC;

ALTER TABLE @extschema@.migrate_migrations
    DROP COLUMN checksum,
    ADD COLUMN checksum text NOT NULL
        GENERATED ALWAYS AS (@extschema@.migrate_checksum(name, up, down)) STORED;

COMMENT ON COLUMN @extschema@.migrate_migrations.checksum IS
    'hex SHA-256 of name, up and down, computed by the server from the row';

/*
 * The schema fingerprint that migrate_verify() takes before and after a
 * migration's down: one row (kind, identity, description) per object of the
 * user schema, in every schema but the system ones.  Relations and their
 * columns, indexes, constraints, triggers, rules, policies, types and
 * domains, functions, statistics objects, schemas, extensions, privileges
 * and default privileges, with their owners and comments.  Each object is
 * named in words a DBA reads ("column public.users.email") and described
 * from the server's own deparsers, so that a difference reads as a
 * sentence.  Objects that belong to an extension are left out (the
 * extension itself is listed), as are the objects the server creates along
 * with another (array types, range constructors).
 *
 * The deparsed definitions qualify every object outside search_path: read
 * with search_path = pg_catalog, pg_temp, as the C code reads it, they
 * qualify every user object.
 *
 * The rows come in two parts, so that migrate_verify() reads again only
 * what a migration touched.  migrate_schema_relations_of(relations) gives
 * the rows of the relations given (NULL: of every relation): the relations
 * with their columns, indexes, constraints, triggers, rules, policies and
 * privileges, each row with the relation in relid.  It starts from the
 * relations' OIDs, so that every catalog is then read through its index on
 * the relation, and reading a few relations costs a few index scans
 * whatever the size of the schema.  migrate_schema_objects() gives all the
 * others (schemas, types and domains, functions, statistics objects,
 * extensions, their privileges and default privileges; relid NULL).
 * migrate_schema_fingerprint_of(relations) gives both.  Their bodies are
 * stored parsed (BEGIN ATOMIC), as a view's is, and inlined into the query
 * that calls them.  Relations, types and functions are looked for among
 * OIDs from 16384 (FirstNormalObjectId) on, which every object created
 * after initdb has: the index on the OIDs then skips the thousands of
 * built-in ones.
 */
CREATE FUNCTION @extschema@.migrate_schema_relations_of(relations oid[])
RETURNS TABLE (kind text, identity text, description text, relid oid)
LANGUAGE sql STABLE
BEGIN ATOMIC
WITH nsp AS (
    SELECT n.oid, n.nspname, n.nspowner, n.nspacl
      FROM pg_namespace n
     WHERE n.nspname !~ '^pg_'
       AND n.nspname <> 'information_schema'
       AND NOT EXISTS (SELECT FROM pg_depend x
                        WHERE x.classid = 'pg_namespace'::regclass
                          AND x.objid = n.oid
                          AND x.deptype = 'e')
), rel AS (
    SELECT c.oid, c.relkind, c.relowner, c.relacl, c.relpersistence, c.relrowsecurity,
           c.relforcerowsecurity, c.relreplident, c.reloptions, c.reltablespace,
           c.relispartition, c.relpartbound,
           format('%I.%I', n.nspname, c.relname) AS ident,
           CASE WHEN c.relkind = 'r' THEN 'table'
                WHEN c.relkind = 'p' THEN 'partitioned table'
                WHEN c.relkind = 'v' THEN 'view'
                WHEN c.relkind = 'm' THEN 'materialized view'
                WHEN c.relkind = 'S' THEN 'sequence'
                WHEN c.relkind = 'f' THEN 'foreign table'
                ELSE 'composite type' END AS kind
      FROM pg_class c
      JOIN nsp n ON n.oid = c.relnamespace
     WHERE c.relkind = ANY ('{r,p,v,m,S,f,c}'::"char"[])
       AND c.oid >= 16384
       AND c.oid = ANY (COALESCE(relations,
                                 ARRAY(SELECT a.oid FROM pg_class a
                                        WHERE a.oid >= 16384)))
       AND NOT EXISTS (SELECT FROM pg_depend x
                        WHERE x.classid = 'pg_class'::regclass
                          AND x.objid = c.oid
                          AND x.deptype = 'e')
), col AS (
    SELECT r.oid AS relid, r.ident, r.kind, r.relkind, a.attnum, a.attname, a.atttypid,
           a.atttypmod, a.attcollation, a.attnotnull, a.attidentity, a.attgenerated,
           a.attstorage, a.attcompression, a.attstattarget, a.attacl
      FROM rel r
      JOIN pg_attribute a ON a.attrelid = r.oid
     WHERE a.attnum > 0 AND NOT a.attisdropped
       AND r.relkind <> 'S'
), acl AS (
    SELECT format('%s %s', r.kind, r.ident) AS object,
           COALESCE(r.relacl,
                    acldefault(CASE WHEN r.relkind = 'S' THEN 's'::"char"
                                    ELSE 'r'::"char" END, r.relowner)) AS acl,
           r.oid AS relid
      FROM rel r
     WHERE r.relkind <> 'c'
    UNION ALL
    SELECT format('column %s.%I', c.ident, c.attname), c.attacl, c.relid
      FROM col c
     WHERE c.attacl IS NOT NULL
)
-- tables, views, materialized views, sequences and foreign tables
SELECT r.kind, r.ident,
       concat_ws(', ',
           format('owner %I', pg_get_userbyid(r.relowner)),
           CASE WHEN r.relpersistence = 'u' THEN 'unlogged' END,
           CASE WHEN r.relkind = 'p'
                THEN 'partition by ' || pg_get_partkeydef(r.oid) END,
           (SELECT format('partition of %I.%I %s', pn.nspname, pc.relname,
                          pg_get_expr(r.relpartbound, r.oid))
              FROM pg_inherits i
              JOIN pg_class pc ON pc.oid = i.inhparent
              JOIN pg_namespace pn ON pn.oid = pc.relnamespace
             WHERE i.inhrelid = r.oid AND r.relispartition),
           (SELECT 'inherits ' || string_agg(format('%I.%I', pn.nspname, pc.relname),
                                             ', ' ORDER BY i.inhseqno)
              FROM pg_inherits i
              JOIN pg_class pc ON pc.oid = i.inhparent
              JOIN pg_namespace pn ON pn.oid = pc.relnamespace
             WHERE i.inhrelid = r.oid AND NOT r.relispartition),
           CASE WHEN r.relrowsecurity THEN 'row level security' END,
           CASE WHEN r.relforcerowsecurity THEN 'row level security forced' END,
           CASE WHEN r.relkind = ANY ('{r,p,m}'::"char"[]) THEN
               CASE WHEN r.relreplident = 'n' THEN 'replica identity nothing'
                    WHEN r.relreplident = 'f' THEN 'replica identity full'
                    WHEN r.relreplident = 'i' THEN 'replica identity index'
               END
           END,
           'options ' || array_to_string(r.reloptions, ', '),
           (SELECT format('tablespace %I', s.spcname)
              FROM pg_tablespace s
             WHERE s.oid = r.reltablespace),
           CASE WHEN r.relkind = ANY ('{v,m}'::"char"[])
                THEN 'as ' || pg_get_viewdef(r.oid) END,
           (SELECT format('%s, start %s, increment %s, minimum %s, maximum %s, cache %s%s',
                          format_type(s.seqtypid, NULL), s.seqstart,
                          s.seqincrement, s.seqmin, s.seqmax, s.seqcache,
                          CASE WHEN s.seqcycle THEN ', cycle' ELSE '' END)
              FROM pg_sequence s
             WHERE s.seqrelid = r.oid),
           (SELECT format('owned by %I.%I.%I', tn.nspname, t.relname, a.attname)
              FROM pg_depend d
              JOIN pg_class t ON t.oid = d.refobjid
              JOIN pg_namespace tn ON tn.oid = t.relnamespace
              JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
             WHERE r.relkind = 'S'
               AND d.classid = 'pg_class'::regclass
               AND d.objid = r.oid
               AND d.refclassid = 'pg_class'::regclass
               AND d.refobjsubid > 0
               AND d.deptype = ANY ('{a,i}'::"char"[])),
           'comment ' || quote_literal(
               (SELECT ds.description FROM pg_description ds
                 WHERE ds.objoid = r.oid AND ds.classoid = 'pg_class'::regclass
                   AND ds.objsubid = 0))),
       r.oid
  FROM rel r
 WHERE r.relkind <> 'c'
UNION ALL
-- indexes
SELECT CASE WHEN i.relkind = 'I' THEN 'partitioned index' ELSE 'index' END,
       format('%I.%I', n.nspname, i.relname),
       concat_ws(', ',
           pg_get_indexdef(i.oid),
           CASE WHEN NOT x.indisvalid THEN 'invalid' END,
           CASE WHEN x.indisclustered THEN 'clustered' END,
           (SELECT format('tablespace %I', s.spcname)
              FROM pg_tablespace s
             WHERE s.oid = i.reltablespace),
           'comment ' || quote_literal(
               (SELECT ds.description FROM pg_description ds
                 WHERE ds.objoid = i.oid AND ds.classoid = 'pg_class'::regclass
                   AND ds.objsubid = 0))),
       r.oid
  FROM pg_index x
  JOIN rel r ON r.oid = x.indrelid
  JOIN pg_class i ON i.oid = x.indexrelid
  JOIN pg_namespace n ON n.oid = i.relnamespace
UNION ALL
-- columns, and attributes of composite types
SELECT CASE WHEN c.relkind = 'c' THEN 'attribute' ELSE 'column' END,
       format('%s.%I', c.ident, c.attname),
       concat_ws(', ',
           format_type(c.atttypid, c.atttypmod),
           (SELECT format('collate %I.%I', cn.nspname, co.collname)
              FROM pg_collation co
              JOIN pg_namespace cn ON cn.oid = co.collnamespace
              JOIN pg_type t ON t.oid = c.atttypid
             WHERE co.oid = c.attcollation
               AND co.oid <> t.typcollation),
           CASE WHEN c.attnotnull THEN 'not null' END,
           CASE WHEN c.attidentity = 'a' THEN 'generated always as identity'
                WHEN c.attidentity = 'd' THEN 'generated by default as identity'
           END,
           (SELECT CASE WHEN c.attgenerated = 's'
                        THEN format('generated always as (%s) stored',
                                    pg_get_expr(d.adbin, d.adrelid))
                        ELSE 'default ' || pg_get_expr(d.adbin, d.adrelid)
                   END
              FROM pg_attrdef d
             WHERE d.adrelid = c.relid
               AND d.adnum = c.attnum),
           (SELECT CASE WHEN c.attstorage = 'p' THEN 'storage plain'
                        WHEN c.attstorage = 'e' THEN 'storage external'
                        WHEN c.attstorage = 'm' THEN 'storage main'
                        ELSE 'storage extended' END
              FROM pg_type t
             WHERE t.oid = c.atttypid
               AND t.typstorage <> c.attstorage),
           CASE WHEN c.attcompression = 'p' THEN 'compression pglz'
                WHEN c.attcompression = 'l' THEN 'compression lz4'
           END,
           CASE WHEN c.attstattarget >= 0
                THEN format('statistics %s', c.attstattarget) END,
           'comment ' || quote_literal(
               (SELECT ds.description FROM pg_description ds
                 WHERE ds.objoid = c.relid AND ds.classoid = 'pg_class'::regclass
                   AND ds.objsubid = c.attnum))),
       c.relid
  FROM col c
UNION ALL
-- the order of the columns, and their set (to tell a new order from a changed set)
SELECT 'column order', format('%s %s', c.kind, c.ident),
       string_agg(quote_ident(c.attname), ', ' ORDER BY c.attnum),
       c.relid
  FROM col c
 GROUP BY c.kind, c.ident, c.relid
UNION ALL
SELECT 'column set', format('%s %s', c.kind, c.ident),
       string_agg(quote_ident(c.attname), ', ' ORDER BY c.attname),
       c.relid
  FROM col c
 GROUP BY c.kind, c.ident, c.relid
UNION ALL
-- constraints of tables
-- constraints of tables and domains
SELECT 'constraint', format('%I on %s %s', co.conname, r.kind, r.ident),
       concat_ws(', ',
           pg_get_constraintdef(co.oid),
           'comment ' || quote_literal(
               (SELECT ds.description FROM pg_description ds
                 WHERE ds.objoid = co.oid AND ds.classoid = 'pg_constraint'::regclass
                   AND ds.objsubid = 0))),
       r.oid
  FROM pg_constraint co
  JOIN rel r ON r.oid = co.conrelid
UNION ALL
-- triggers
SELECT 'trigger', format('%I on %s %s', tg.tgname, r.kind, r.ident),
       concat_ws(', ',
           pg_get_triggerdef(tg.oid),
           CASE WHEN tg.tgenabled = 'D' THEN 'disabled'
                WHEN tg.tgenabled = 'R' THEN 'enabled on replicas only'
                WHEN tg.tgenabled = 'A' THEN 'enabled always'
           END,
           'comment ' || quote_literal(
               (SELECT ds.description FROM pg_description ds
                 WHERE ds.objoid = tg.oid AND ds.classoid = 'pg_trigger'::regclass
                   AND ds.objsubid = 0))),
       r.oid
  FROM pg_trigger tg
  JOIN rel r ON r.oid = tg.tgrelid
 WHERE NOT tg.tgisinternal
UNION ALL
-- rules other than those of views
SELECT 'rule', format('%I on %s %s', rw.rulename, r.kind, r.ident),
       pg_get_ruledef(rw.oid),
       r.oid
  FROM pg_rewrite rw
  JOIN rel r ON r.oid = rw.ev_class
 WHERE rw.rulename <> '_RETURN'
UNION ALL
-- row level security policies
SELECT 'policy', format('%I on %s %s', po.polname, r.kind, r.ident),
       concat_ws(', ',
           CASE WHEN po.polpermissive THEN 'permissive' ELSE 'restrictive' END,
           CASE WHEN po.polcmd = 'r' THEN 'for select'
                WHEN po.polcmd = 'a' THEN 'for insert'
                WHEN po.polcmd = 'w' THEN 'for update'
                WHEN po.polcmd = 'd' THEN 'for delete'
                ELSE 'for all' END,
           (SELECT 'to ' || string_agg(CASE WHEN g.role = 0 THEN 'public'
                                            ELSE quote_ident(pg_get_userbyid(g.role))
                                       END, ', ' ORDER BY 1)
              FROM unnest(po.polroles) AS g(role)),
           'using ' || pg_get_expr(po.polqual, po.polrelid),
           'with check ' || pg_get_expr(po.polwithcheck, po.polrelid)),
       r.oid
  FROM pg_policy po
  JOIN rel r ON r.oid = po.polrelid
UNION ALL
-- privileges, one row per grantee and privilege
SELECT 'privilege',
       format('%s on %s to %s', g.privilege_type, a.object,
              CASE WHEN g.grantee = 0 THEN 'PUBLIC'
                   ELSE quote_ident(pg_get_userbyid(g.grantee)) END),
       concat_ws(', ',
           format('granted by %I', pg_get_userbyid(g.grantor)),
           CASE WHEN g.is_grantable THEN 'with grant option' END),
       a.relid
  FROM acl a
 CROSS JOIN LATERAL aclexplode(a.acl) g
;
END;

CREATE FUNCTION @extschema@.migrate_schema_objects()
RETURNS TABLE (kind text, identity text, description text, relid oid)
LANGUAGE sql STABLE
BEGIN ATOMIC
WITH nsp AS (
    SELECT n.oid, n.nspname, n.nspowner, n.nspacl
      FROM pg_namespace n
     WHERE n.nspname !~ '^pg_'
       AND n.nspname <> 'information_schema'
       AND NOT EXISTS (SELECT FROM pg_depend x
                        WHERE x.classid = 'pg_namespace'::regclass
                          AND x.objid = n.oid
                          AND x.deptype = 'e')
), fn AS (
    SELECT p.oid, p.prokind, p.proowner, p.proacl,
           CASE WHEN p.prokind = 'p' THEN 'procedure'
                WHEN p.prokind = 'a' THEN 'aggregate'
                ELSE 'function' END AS kind,
           format('%I.%I(%s)', n.nspname, p.proname,
                  pg_get_function_identity_arguments(p.oid)) AS ident
      FROM pg_proc p
      JOIN nsp n ON n.oid = p.pronamespace
     WHERE p.oid >= 16384
       AND NOT EXISTS (SELECT FROM pg_depend x
                        WHERE x.classid = 'pg_proc'::regclass
                          AND x.objid = p.oid
                          AND x.deptype = ANY ('{e,i}'::"char"[]))
), typ AS (
    SELECT t.oid, t.typtype, t.typowner, t.typacl, t.typbasetype, t.typtypmod, t.typnotnull,
           t.typdefault, t.typcollation,
           CASE WHEN t.typtype = 'd' THEN 'domain' ELSE 'type' END AS kind,
           format('%I.%I', n.nspname, t.typname) AS ident
      FROM pg_type t
      JOIN nsp n ON n.oid = t.typnamespace
     WHERE t.typtype = ANY ('{b,c,d,e,r}'::"char"[])
       AND t.oid >= 16384
       AND (t.typrelid = 0
            OR (SELECT c.relkind FROM pg_class c
                 WHERE c.oid = t.typrelid) = 'c')
       AND NOT EXISTS (SELECT FROM pg_type e
                        WHERE e.oid = t.typelem
                          AND e.typarray = t.oid)
       AND NOT EXISTS (SELECT FROM pg_depend x
                        WHERE x.classid = 'pg_type'::regclass
                          AND x.objid = t.oid
                          AND x.deptype = 'e')
), acl AS (
    SELECT format('schema %I', n.nspname) AS object,
           COALESCE(n.nspacl, acldefault('n', n.nspowner)) AS acl,
           NULL::oid AS relid
      FROM nsp n
    UNION ALL
    SELECT format('%s %s', f.kind, f.ident),
           COALESCE(f.proacl, acldefault('f', f.proowner)), NULL
      FROM fn f
    UNION ALL
    SELECT format('%s %s', t.kind, t.ident),
           COALESCE(t.typacl, acldefault('T', t.typowner)), NULL
      FROM typ t
)
-- schemas
SELECT 'schema' AS kind,
       quote_ident(n.nspname) AS identity,
       concat_ws(', ',
           format('owner %I', pg_get_userbyid(n.nspowner)),
           'comment ' || quote_literal(
               (SELECT ds.description FROM pg_description ds
                 WHERE ds.objoid = n.oid AND ds.classoid = 'pg_namespace'::regclass
                   AND ds.objsubid = 0))) AS description,
       NULL::oid AS relid
  FROM nsp n
UNION ALL
-- constraints of domains
SELECT 'constraint', format('%I on %s %s', co.conname, t.kind, t.ident),
       concat_ws(', ',
           pg_get_constraintdef(co.oid),
           'comment ' || quote_literal(
               (SELECT ds.description FROM pg_description ds
                 WHERE ds.objoid = co.oid AND ds.classoid = 'pg_constraint'::regclass
                   AND ds.objsubid = 0))),
       NULL
  FROM pg_constraint co
  JOIN typ t ON t.oid = co.contypid
UNION ALL
-- types and domains
SELECT t.kind, t.ident,
       concat_ws(', ',
           format('owner %I', pg_get_userbyid(t.typowner)),
           CASE WHEN t.typtype = 'e' THEN
                    (SELECT format('enum (%s)',
                                   string_agg(quote_literal(e.enumlabel), ', '
                                              ORDER BY e.enumsortorder))
                       FROM pg_enum e
                      WHERE e.enumtypid = t.oid)
                WHEN t.typtype = 'd' THEN
                    format_type(t.typbasetype, t.typtypmod)
                WHEN t.typtype = 'c' THEN 'composite'
                WHEN t.typtype = 'r' THEN
                    (SELECT format('range of %s', format_type(rg.rngsubtype, NULL))
                       FROM pg_range rg
                      WHERE rg.rngtypid = t.oid)
                ELSE 'base type' END,
           (SELECT format('collate %I.%I', cn.nspname, co.collname)
              FROM pg_collation co
              JOIN pg_namespace cn ON cn.oid = co.collnamespace
              JOIN pg_type b ON b.oid = t.typbasetype
             WHERE co.oid = t.typcollation
               AND co.oid <> b.typcollation),
           CASE WHEN t.typnotnull THEN 'not null' END,
           'default ' || t.typdefault,
           'comment ' || quote_literal(
               (SELECT ds.description FROM pg_description ds
                 WHERE ds.objoid = t.oid AND ds.classoid = 'pg_type'::regclass
                   AND ds.objsubid = 0))),
       NULL
  FROM typ t
UNION ALL
-- functions, procedures and aggregates
SELECT f.kind, f.ident,
       concat_ws(', ',
           format('owner %I', pg_get_userbyid(f.proowner)),
           CASE WHEN f.prokind = 'a'
                THEN 'returns ' || pg_get_function_result(f.oid)
                ELSE pg_get_functiondef(f.oid) END,
           'comment ' || quote_literal(
               (SELECT ds.description FROM pg_description ds
                 WHERE ds.objoid = f.oid AND ds.classoid = 'pg_proc'::regclass
                   AND ds.objsubid = 0))),
       NULL
  FROM fn f
UNION ALL
-- extended statistics
SELECT 'statistics object', format('%I.%I', n.nspname, s.stxname),
       concat_ws(', ',
           format('owner %I', pg_get_userbyid(s.stxowner)),
           pg_get_statisticsobjdef(s.oid)),
       NULL
  FROM pg_statistic_ext s
  JOIN nsp n ON n.oid = s.stxnamespace
UNION ALL
-- extensions other than this one
SELECT 'extension', quote_ident(e.extname),
       format('version %s, schema %I, owner %I', e.extversion, n.nspname,
              pg_get_userbyid(e.extowner)),
       NULL
  FROM pg_extension e
  JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE e.extname <> 'migrate'
UNION ALL
-- privileges, one row per grantee and privilege
SELECT 'privilege',
       format('%s on %s to %s', g.privilege_type, a.object,
              CASE WHEN g.grantee = 0 THEN 'PUBLIC'
                   ELSE quote_ident(pg_get_userbyid(g.grantee)) END),
       concat_ws(', ',
           format('granted by %I', pg_get_userbyid(g.grantor)),
           CASE WHEN g.is_grantable THEN 'with grant option' END),
       a.relid
  FROM acl a
 CROSS JOIN LATERAL aclexplode(a.acl) g
UNION ALL
-- default privileges
SELECT 'default privileges',
       format('of role %I%s for %s', pg_get_userbyid(d.defaclrole),
              CASE WHEN n.nspname IS NOT NULL
                   THEN format(' in schema %I', n.nspname) ELSE '' END,
              CASE WHEN d.defaclobjtype = 'r' THEN 'tables'
                   WHEN d.defaclobjtype = 'S' THEN 'sequences'
                   WHEN d.defaclobjtype = 'f' THEN 'functions'
                   WHEN d.defaclobjtype = 'T' THEN 'types'
                   ELSE 'schemas' END),
       array_to_string(d.defaclacl, ', '),
       NULL
  FROM pg_default_acl d
  LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace;
END;

CREATE FUNCTION @extschema@.migrate_schema_fingerprint_of(relations oid[])
RETURNS TABLE (kind text, identity text, description text, relid oid)
LANGUAGE sql STABLE
BEGIN ATOMIC
SELECT r.kind, r.identity, r.description, r.relid
  FROM @extschema@.migrate_schema_relations_of(relations) r
UNION ALL
SELECT o.kind, o.identity, o.description, o.relid
  FROM @extschema@.migrate_schema_objects() o;
END;

COMMENT ON FUNCTION @extschema@.migrate_schema_relations_of(oid[]) IS
    'internal: the rows of migrate_schema_fingerprint that belong to the relations given (NULL: all), with the relation each belongs to';

COMMENT ON FUNCTION @extschema@.migrate_schema_objects() IS
    'internal: the rows of migrate_schema_fingerprint that belong to no relation (schemas, types, functions, ...)';

COMMENT ON FUNCTION @extschema@.migrate_schema_fingerprint_of(oid[]) IS
    'internal: the rows of migrate_schema_fingerprint, those of relations limited to the ones given (NULL: all), with the relation each belongs to';

CREATE VIEW @extschema@.migrate_schema_fingerprint AS
SELECT kind, identity, description
  FROM @extschema@.migrate_schema_fingerprint_of(NULL);


COMMENT ON VIEW @extschema@.migrate_schema_fingerprint IS
    'internal: the user schema, one row per object, as migrate_verify() compares it';

/*
 * The relations whose rewrites, scans and strong locks a migration's up can
 * cause, which migrate_verify() watches while it runs: tables, partitioned
 * tables, views, materialized views and foreign tables of the user schema,
 * leaving out those that belong to an extension.
 */
CREATE VIEW @extschema@.migrate_watched_relations AS
SELECT c.oid AS relid,
       CASE WHEN c.relkind = 'r' THEN 'table'
            WHEN c.relkind = 'p' THEN 'partitioned table'
            WHEN c.relkind = 'v' THEN 'view'
            WHEN c.relkind = 'm' THEN 'materialized view'
            ELSE 'foreign table' END AS kind,
       format('%I.%I', n.nspname, c.relname) AS name
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = ANY ('{r,p,v,m,f}'::"char"[])
   AND n.nspname !~ '^pg_'
   AND n.nspname <> 'information_schema'
   AND NOT EXISTS (SELECT FROM pg_depend x
                    WHERE x.classid = 'pg_class'::regclass
                      AND x.objid = c.oid
                      AND x.deptype = 'e');

COMMENT ON VIEW @extschema@.migrate_watched_relations IS
    'internal: the relations of the user schema that migrate_verify() watches while an up runs';



/*
 * Granted to nobody: the C code reads these views as the extension owner.
 * They show every object of the database, and a view reads the tables it
 * names with its owner's privileges, so a grant would bypass those of the
 * tables.  A superuser may read them to see what migrate_verify() or
 * migrate_status() was given.  (migrate_status_rows, the view of
 * migrate_status(), is created with the sets, below.)
 */
REVOKE ALL ON TABLE @extschema@.migrate_schema_fingerprint, @extschema@.migrate_watched_relations
    FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_schema_fingerprint_of(oid[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_schema_relations_of(oid[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_schema_objects() FROM PUBLIC;

/*
 * migrate_load(): the server side of "pg_migrate load", which defines a
 * whole set of migrations (a JSON array of objects, one per file) in one
 * call and returns what it did per version.
 */
CREATE FUNCTION @extschema@.migrate_load(migrations jsonb, prune boolean DEFAULT false,
    set text DEFAULT 'main')
RETURNS TABLE (version bigint, name text, action text)
AS 'MODULE_PATHNAME', 'migrate_load'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.migrate_load(jsonb, boolean, text) IS
    'define a set of migrations in one call (new, replaced, unchanged; removed with prune)';

/*
 * The same, with the set given as one array per field (element i of each
 * describes migration i): the form that pg_migrate sends, in binary.
 */
CREATE FUNCTION @extschema@.migrate_load(
    versions bigint[], names text[], ups text[], downs text[] DEFAULT NULL,
    transactional boolean[] DEFAULT NULL, files text[] DEFAULT NULL,
    up_lines integer[] DEFAULT NULL, down_lines integer[] DEFAULT NULL,
    down_files text[] DEFAULT NULL, prune boolean DEFAULT false, set text DEFAULT 'main')
RETURNS TABLE (version bigint, name text, action text)
AS 'MODULE_PATHNAME', 'migrate_load_arrays'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.migrate_load(bigint[], text[], text[], text[], boolean[], text[], integer[], integer[], text[], boolean, text) IS
    'define a set of migrations, given as one array per field, in one call';

/*
 * Nothing is granted to PUBLIC, as for migrate_define(): the bodies it
 * stores run with the privileges of whoever applies them, so only the roles
 * that deploy may define them.  The installer grants EXECUTE to those roles.
 */
REVOKE ALL ON FUNCTION @extschema@.migrate_load(jsonb, boolean, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_load(bigint[], text[], text[], text[], boolean[], text[], integer[], integer[], text[], boolean, text) FROM PUBLIC;

/*
 * Per set, the migrations a role last loaded with migrate_load() and found entirely
 * unchanged, and the catalog's epoch then: while the epoch stays the same
 * (every change to the catalog bumps it), loading the same set again is
 * known to change nothing from its checksum alone.  Internal; not dumped,
 * so a restored database starts without it.
 */
CREATE TABLE @extschema@.migrate_loaded (
    set text PRIMARY KEY,
    epoch bigint NOT NULL,
    set_checksum text NOT NULL,
    loaded_by name NOT NULL
);

COMMENT ON TABLE @extschema@.migrate_loaded IS
    'internal: per set, the files last loaded unchanged, and the catalog epoch then';

REVOKE ALL ON TABLE @extschema@.migrate_loaded FROM PUBLIC;

/*
 * Whether loading the set with this checksum would change nothing, so that
 * a client whose files did not change sends a checksum instead of them.
 */
CREATE FUNCTION @extschema@.migrate_load_unchanged(set_checksum text, set text DEFAULT 'main')
RETURNS boolean
AS 'MODULE_PATHNAME', 'migrate_load_unchanged'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.migrate_load_unchanged(text, text) IS
    'whether migrate_load() of the set with this checksum would change nothing';

REVOKE ALL ON FUNCTION @extschema@.migrate_load_unchanged(text, text) FROM PUBLIC;

/*
 * migrate_baseline() for an exact set of versions: adopting a database
 * that another tool migrated, whose applied migrations need not be all
 * those up to one version.  A name of its own, so that a call of
 * migrate_baseline() with a quoted or NULL version stays unambiguous.
 */
CREATE FUNCTION @extschema@.migrate_baseline_versions(versions bigint[],
    set text DEFAULT 'main', schema text DEFAULT NULL)
RETURNS integer
AS 'MODULE_PATHNAME', 'migrate_baseline_versions'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.migrate_baseline_versions(bigint[], text, text) IS
    'mark exactly these pending migrations applied without running them';

REVOKE ALL ON FUNCTION @extschema@.migrate_baseline_versions(bigint[], text, text) FROM PUBLIC;

/*
 * ------------------------------------------------------------------------
 * The drop guard: DROP EXTENSION migrate, and the DROP SCHEMA ... CASCADE
 * or DROP OWNED that would drop it, are refused while migrate_applied or
 * migrate_history holds rows, unless migrate.allow_drop is on (see
 * src/drop_guard.c).  The trigger fires before those three commands only,
 * looks at nothing else, and names no object through search_path.
 * ------------------------------------------------------------------------
 */
CREATE FUNCTION @extschema@.migrate_drop_guard()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'migrate_drop_guard'
LANGUAGE C;

COMMENT ON FUNCTION @extschema@.migrate_drop_guard() IS
    'internal: refuses to drop the extension while it records applied migrations or history';

-- An event trigger function runs only as one; nobody calls it.
REVOKE ALL ON FUNCTION @extschema@.migrate_drop_guard() FROM PUBLIC;

CREATE EVENT TRIGGER migrate_drop_guard ON ddl_command_start
    WHEN TAG IN ('DROP EXTENSION', 'DROP SCHEMA', 'DROP OWNED')
    EXECUTE FUNCTION @extschema@.migrate_drop_guard();

COMMENT ON EVENT TRIGGER migrate_drop_guard IS
    'refuses DROP EXTENSION migrate while the catalog records applied migrations or history (migrate.allow_drop)';

/*
 * ------------------------------------------------------------------------
 * Sets, tenant schemas and repeatable migrations.
 *
 * Every migration belongs to a set ('main' unless told otherwise) and its
 * version is unique within the set.  A set is applied either under the
 * caller's own search_path (schema '', as in 1.0) or to tenant schemas, each
 * with its own applied state, history and progress.  The rows of 1.0
 * become set 'main' with no schema.
 * ------------------------------------------------------------------------
 */
ALTER TABLE @extschema@.migrate_migrations
    ADD COLUMN set text NOT NULL DEFAULT 'main' CHECK (set <> ''),
    DROP CONSTRAINT migrate_migrations_pkey,
    ADD PRIMARY KEY (set, version);

COMMENT ON COLUMN @extschema@.migrate_migrations.set IS
    'the set the migration belongs to; versions are unique within a set';

ALTER TABLE @extschema@.migrate_applied
    ADD COLUMN set text NOT NULL DEFAULT 'main',
    ADD COLUMN schema text NOT NULL DEFAULT '',
    DROP CONSTRAINT migrate_applied_pkey,
    ADD PRIMARY KEY (set, schema, version);

CREATE INDEX migrate_applied_set_version_idx ON @extschema@.migrate_applied (set, version);

COMMENT ON COLUMN @extschema@.migrate_applied.schema IS
    'the tenant schema it is applied to; empty when applied under the caller''s search_path';

ALTER TABLE @extschema@.migrate_history
    ADD COLUMN set text NOT NULL DEFAULT 'main',
    ADD COLUMN schema text NOT NULL DEFAULT '';

DROP INDEX @extschema@.migrate_history_version_idx;
CREATE INDEX migrate_history_version_idx
    ON @extschema@.migrate_history (set, schema, version, id);

ALTER TABLE @extschema@.migrate_findings
    ADD COLUMN set text NOT NULL DEFAULT 'main';

DROP INDEX @extschema@.migrate_findings_version_idx;
CREATE INDEX migrate_findings_version_idx ON @extschema@.migrate_findings (set, version);

ALTER TABLE @extschema@.migrate_progress
    ADD COLUMN set text NOT NULL DEFAULT 'main',
    ADD COLUMN schema text NOT NULL DEFAULT '',
    DROP CONSTRAINT migrate_progress_pkey,
    ADD PRIMARY KEY (set, schema, version);

/*
 * Repeatable migrations: one body per set and name, run again (after the
 * set's versioned migrations) whenever its content differs from that of
 * its last run in the schema.  The checksum is derived as the versioned
 * migrations' is.
 */
CREATE TABLE @extschema@.migrate_repeatables (
    set text NOT NULL DEFAULT 'main' CHECK (set <> ''),
    name text NOT NULL CHECK (name <> ''),
    body text NOT NULL,
    down text,
    defined_at timestamptz NOT NULL,
    defined_by name NOT NULL,
    safety_assured text[] NOT NULL DEFAULT '{}',
    checksum text NOT NULL
        GENERATED ALWAYS AS (@extschema@.migrate_checksum(name, body, down)) STORED,
    PRIMARY KEY (set, name)
);

COMMENT ON TABLE @extschema@.migrate_repeatables IS
    'one row per repeatable migration: a body run again whenever it changes';
COMMENT ON COLUMN @extschema@.migrate_repeatables.down IS
    'what rolling back its first run runs; NULL: nothing';

/*
 * Every run of a repeatable that is in effect, per set and schema: the
 * newest run of a name is its state; rolling back takes the newest run
 * away and runs the body of the one before it again.  after_version is the
 * newest versioned migration applied in that schema when it ran, which
 * orders the runs among the versioned migrations for rollback.
 */
CREATE TABLE @extschema@.migrate_repeatable_runs (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    set text NOT NULL,
    schema text NOT NULL,
    name text NOT NULL,
    body text NOT NULL,
    down text,
    checksum text NOT NULL,
    after_version bigint NOT NULL,
    ran_at timestamptz NOT NULL,
    ran_by name NOT NULL,
    duration interval NOT NULL
);

CREATE INDEX migrate_repeatable_runs_name_idx
    ON @extschema@.migrate_repeatable_runs (set, schema, name, id);

COMMENT ON TABLE @extschema@.migrate_repeatable_runs IS
    'one row per run of a repeatable migration still in effect; the newest per name is its state';

ALTER TABLE @extschema@.migrate_history
    ADD COLUMN body text;

COMMENT ON COLUMN @extschema@.migrate_history.body IS
    'the body a repeatable migration ran (NULL for a versioned one: see migrate_migrations)';

ALTER TABLE @extschema@.migrate_history
    DROP CONSTRAINT migrate_history_direction_check,
    ADD CONSTRAINT migrate_history_direction_check
        CHECK (direction IN ('up', 'down', 'baseline', 'resolve', 'repeat', 'unrepeat'));

CREATE TRIGGER migrate_repeatables_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.migrate_repeatables
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.migrate_catalog_changed();
CREATE TRIGGER migrate_repeatable_runs_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.migrate_repeatable_runs
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.migrate_catalog_changed();
ALTER TABLE @extschema@.migrate_repeatables ENABLE ALWAYS TRIGGER migrate_repeatables_changed;
ALTER TABLE @extschema@.migrate_repeatable_runs
    ENABLE ALWAYS TRIGGER migrate_repeatable_runs_changed;

SELECT pg_catalog.pg_extension_config_dump('@extschema@.migrate_repeatables', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.migrate_repeatable_runs', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.migrate_repeatable_runs_id_seq', '');

REVOKE ALL ON TABLE @extschema@.migrate_repeatables, @extschema@.migrate_repeatable_runs
    FROM PUBLIC;
REVOKE ALL ON SEQUENCE @extschema@.migrate_repeatable_runs_id_seq FROM PUBLIC;

/*
 * The rows of migrate_status() for a set in the schemas given ('' for no
 * schema): every version that is defined, or applied or in migrate_progress
 * in that schema, with its state there; then every repeatable of the set
 * (version NULL) with its state: pending (never run there), changed (its
 * body differs from the last run's), applied, or missing (run, definition
 * gone).  A migration in migrate_progress is running while the session that
 * runs it holds a migration lock, and failed otherwise; a failed one names
 * the INVALID indexes a failed index build left on the tables it acts on.
 * The migration locks are advisory locks whose low key is 1835624306
 * (MIGRATE_LOCK_KEY_LOW in the C code), which pg_locks shows as objid
 * 1835624306 with objsubid 1; the high key (classid) tells the sets and
 * schemas apart.  The name of a migration whose definition is gone comes
 * from its latest history row.  Each definition's unassured rules are
 * read once, whatever the number of schemas; the rows of all the schemas
 * are joined at once (hash joins), and pg_locks is read once.  Stored
 * parsed (BEGIN ATOMIC) and inlined into the query that calls it.
 */
CREATE FUNCTION @extschema@.migrate_status_of(set text, schemas text[])
RETURNS TABLE (schema text, version bigint, name text, state text,
               applied_at timestamptz, transactional boolean, reversible boolean,
               unassured text[], detail text)
LANGUAGE sql STABLE
BEGIN ATOMIC
WITH defined AS MATERIALIZED (
SELECT m.version, m.name, m.checksum, m.transactional,
       m.down IS NOT NULL AS reversible,
       COALESCE((SELECT array_agg(DISTINCT f.rule ORDER BY f.rule)
                   FROM @extschema@.migrate_findings f
                  WHERE f.set = m.set
                    AND f.version = m.version
                    AND f.body = 'up'
                    AND f.severity = 'error'
                    AND NOT (f.rule = ANY (m.safety_assured))),
                '{}'::text[]) AS unassured
  FROM @extschema@.migrate_migrations m
 WHERE m.set = migrate_status_of.set
)
SELECT COALESCE(sm.schema, a.schema, p.schema),
       COALESCE(sm.version, a.version, p.version),
       COALESCE(sm.name, (SELECT h.name
                            FROM @extschema@.migrate_history h
                           WHERE h.set = migrate_status_of.set
                             AND h.schema = COALESCE(a.schema, p.schema)
                             AND h.version = COALESCE(a.version, p.version)
                           ORDER BY h.id DESC LIMIT 1)),
       CASE WHEN p.version IS NOT NULL THEN
                CASE WHEN r.pid IS NOT NULL THEN 'running' ELSE 'failed' END
            WHEN a.version IS NULL THEN 'pending'
            WHEN sm.version IS NULL THEN 'missing'
            WHEN a.checksum <> sm.checksum THEN 'changed'
            ELSE 'applied' END,
       a.applied_at,
       sm.transactional,
       sm.reversible,
       sm.unassured,
       CASE WHEN p.version IS NULL THEN NULL
            WHEN r.pid IS NOT NULL THEN
                format('%s: statement %s of %s running in process %s',
                       p.direction, p.completed + 1, p.statements, p.pid)
            ELSE concat_ws('; ',
                format('%s: %s of %s statements completed',
                       p.direction, p.completed, p.statements),
                COALESCE(p.error,
                         format('interrupted: the session that ran it (process %s) stopped before it finished',
                                p.pid)),
                (SELECT 'INVALID indexes: '
                        || string_agg(i.indexrelid::regclass::text, ', '
                                      ORDER BY i.indexrelid::regclass::text)
                   FROM pg_index i
                  WHERE i.indrelid = ANY (p.relations) AND NOT i.indisvalid))
       END
  FROM (SELECT s.schema, dm.*
          FROM defined dm
         CROSS JOIN unnest(schemas) AS s(schema)) sm
  FULL JOIN (SELECT aa.schema, aa.version, aa.checksum, aa.applied_at
               FROM @extschema@.migrate_applied aa
              WHERE aa.set = migrate_status_of.set
                AND aa.schema = ANY (schemas)) a
    ON a.schema = sm.schema AND a.version = sm.version
  FULL JOIN (SELECT pp.schema, pp.version, pp.direction, pp.statements, pp.completed,
                    pp.pid, pp.error, pp.relations
               FROM @extschema@.migrate_progress pp
              WHERE pp.set = migrate_status_of.set
                AND pp.schema = ANY (schemas)) p
    ON p.schema = COALESCE(sm.schema, a.schema)
   AND p.version = COALESCE(sm.version, a.version)
  LEFT JOIN (SELECT DISTINCT l.pid
               FROM pg_locks l
              WHERE l.locktype = 'advisory' AND l.granted
                AND l.objid = '1835624306'::oid
                AND l.objsubid = 1
                AND l.database = (SELECT d.oid FROM pg_database d
                                   WHERE d.datname = current_database())) r
    ON r.pid = p.pid
UNION ALL
SELECT COALESCE(sd.schema, u.schema),
       NULL::bigint,
       COALESCE(sd.name, u.name),
       CASE WHEN u.name IS NULL THEN 'pending'
            WHEN sd.name IS NULL THEN 'missing'
            WHEN u.checksum <> sd.checksum THEN 'changed'
            ELSE 'applied' END,
       u.ran_at,
       true,
       true,
       CASE WHEN sd.name IS NOT NULL THEN '{}'::text[] END,
       CASE WHEN u.name IS NOT NULL AND sd.name IS NOT NULL AND u.checksum <> sd.checksum
            THEN 'repeatable: its body changed since its last run, which runs again after the versioned migrations'
            WHEN u.name IS NOT NULL THEN 'repeatable'
            ELSE 'repeatable: not run yet' END
  FROM (SELECT s.schema, d.name, d.checksum
          FROM @extschema@.migrate_repeatables d
         CROSS JOIN unnest(schemas) AS s(schema)
         WHERE d.set = migrate_status_of.set) sd
  FULL JOIN (SELECT DISTINCT ON (ru.schema, ru.name) ru.schema, ru.name, ru.checksum, ru.ran_at
               FROM @extschema@.migrate_repeatable_runs ru
              WHERE ru.set = migrate_status_of.set
                AND ru.schema = ANY (schemas)
              ORDER BY ru.schema, ru.name, ru.id DESC) u
    ON u.schema = sd.schema AND u.name = sd.name;
END;

COMMENT ON FUNCTION @extschema@.migrate_status_of(text, text[]) IS
    'internal: the rows of migrate_status() for a set in each schema given, unordered';

CREATE VIEW @extschema@.migrate_status_rows AS
SELECT version, name, state, applied_at, transactional, reversible, unassured, detail
  FROM @extschema@.migrate_status_of('main', '{""}');

COMMENT ON VIEW @extschema@.migrate_status_rows IS
    'internal: the rows of migrate_status() for the main set with no schema, unordered';

-- Granted to nobody, as the views above: the C code reads them as the owner.
REVOKE ALL ON TABLE @extschema@.migrate_status_rows FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.migrate_status_of(text, text[]) FROM PUBLIC;

/*
 * The functions and procedures of 1.0 that define, select or report take a
 * set (and those that run or report, a schema; deploy and revert a list of
 * schemas).  PostgreSQL cannot add parameters to a function, so each is
 * dropped and created again with its new signature; the EXECUTE privileges
 * granted on the old one are granted again on the new one, so that the
 * roles that deploy keep what they had.  Nothing depends on these
 * functions but the grants.
 */
CREATE FUNCTION @extschema@.migrate_regrant(grants aclitem[], new_signature text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT a.grantee, a.is_grantable
               FROM aclexplode(grants) a
               JOIN pg_proc p ON p.oid = new_signature::regprocedure
              WHERE a.privilege_type = 'EXECUTE' AND a.grantee <> p.proowner
    LOOP
        EXECUTE format('GRANT EXECUTE ON ROUTINE %s TO %s%s', new_signature,
                       CASE WHEN g.grantee = 0 THEN 'PUBLIC'
                            ELSE quote_ident(g.grantee::regrole::text) END,
                       CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
END;
$$;

-- Kept only while this script runs.
CREATE TABLE @extschema@.migrate_saved_grants AS
SELECT p.proname::text AS name, p.proacl AS grants
  FROM pg_proc p
 WHERE p.pronamespace = '@extschema@'::regnamespace
   AND (p.proname::text, p.pronargs::integer) IN (
       ('migrate_define', 6), ('migrate_remove', 1), ('migrate_apply', 2),
       ('migrate_rollback', 2), ('migrate_status', 0), ('migrate_plan', 2),
       ('migrate_baseline', 1), ('migrate_verify', 1), ('migrate_deploy', 2),
       ('migrate_revert', 2), ('migrate_resolve', 2));

DROP FUNCTION @extschema@.migrate_define(bigint, text, text, text, boolean, text[]);
DROP FUNCTION @extschema@.migrate_remove(bigint);
DROP FUNCTION @extschema@.migrate_apply(bigint, integer);
DROP FUNCTION @extschema@.migrate_rollback(integer, bigint);
DROP FUNCTION @extschema@.migrate_status();
DROP FUNCTION @extschema@.migrate_plan(bigint, integer);
DROP FUNCTION @extschema@.migrate_baseline(bigint);
DROP FUNCTION @extschema@.migrate_verify(bigint);
DROP PROCEDURE @extschema@.migrate_deploy(bigint, integer);
DROP PROCEDURE @extschema@.migrate_revert(integer, bigint);
DROP FUNCTION @extschema@.migrate_resolve(bigint, text);

CREATE FUNCTION @extschema@.migrate_define(
    version bigint,
    name text,
    up text,
    down text DEFAULT NULL,
    transactional boolean DEFAULT NULL,
    safety_assured text[] DEFAULT '{}',
    set text DEFAULT 'main')
RETURNS @extschema@.migrate_migrations
AS 'MODULE_PATHNAME', 'migrate_define'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.migrate_define(bigint, text, text, text, boolean, text[], text) IS
    'store (or replace, while not applied) a versioned migration of a set';

CREATE FUNCTION @extschema@.migrate_remove(version bigint, set text DEFAULT 'main')
RETURNS void
AS 'MODULE_PATHNAME', 'migrate_remove'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.migrate_remove(bigint, text) IS
    'delete a migration that is not applied';

CREATE FUNCTION @extschema@.migrate_apply(target bigint DEFAULT NULL, steps integer DEFAULT NULL,
    set text DEFAULT 'main', schema text DEFAULT NULL)
RETURNS TABLE (version bigint, name text, duration interval)
AS 'MODULE_PATHNAME', 'migrate_apply'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.migrate_apply(bigint, integer, text, text) IS
    'apply pending migrations (then changed repeatables) in version order, atomically, in the caller''s transaction';

CREATE FUNCTION @extschema@.migrate_rollback(steps integer DEFAULT 1, target bigint DEFAULT NULL,
    set text DEFAULT 'main', schema text DEFAULT NULL)
RETURNS TABLE (version bigint, name text, duration interval)
AS 'MODULE_PATHNAME', 'migrate_rollback'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.migrate_rollback(integer, bigint, text, text) IS
    'run the down bodies of the newest applied migrations (and take back repeatable runs), atomically';

CREATE FUNCTION @extschema@.migrate_status(set text DEFAULT 'main', schema text DEFAULT NULL)
RETURNS TABLE (version bigint, name text, state text, applied_at timestamptz,
               transactional boolean, reversible boolean, unassured text[], detail text)
AS 'MODULE_PATHNAME', 'migrate_status'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.migrate_status(text, text) IS
    'every known migration of a set with its state: applied, pending, changed, missing, running or failed';

CREATE FUNCTION @extschema@.migrate_plan(target bigint DEFAULT NULL, steps integer DEFAULT NULL,
    set text DEFAULT 'main', schema text DEFAULT NULL)
RETURNS TABLE (version bigint, name text, transactional boolean)
AS 'MODULE_PATHNAME', 'migrate_plan'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.migrate_plan(bigint, integer, text, text) IS
    'the migrations that migrate_apply() with the same arguments would run now';

CREATE FUNCTION @extschema@.migrate_baseline(version bigint, set text DEFAULT 'main',
    schema text DEFAULT NULL)
RETURNS integer
AS 'MODULE_PATHNAME', 'migrate_baseline'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.migrate_baseline(bigint, text, text) IS
    'mark every pending migration up to a version applied without running it';

CREATE FUNCTION @extschema@.migrate_verify(version bigint DEFAULT NULL, set text DEFAULT 'main',
    schema text DEFAULT NULL)
RETURNS TABLE (version bigint, name text, ok boolean, detail text)
AS 'MODULE_PATHNAME', 'migrate_verify'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.migrate_verify(bigint, text, text) IS
    'prove, without changing anything, that the down of each pending migration (or of the one given) undoes its up';

CREATE PROCEDURE @extschema@.migrate_deploy(target bigint DEFAULT NULL, steps integer DEFAULT NULL,
    set text DEFAULT 'main', schemas text[] DEFAULT NULL)
AS 'MODULE_PATHNAME', 'migrate_deploy'
LANGUAGE C;

COMMENT ON PROCEDURE @extschema@.migrate_deploy(bigint, integer, text, text[]) IS
    'apply pending migrations in version order, committing after each, in each tenant schema given; runs non-transactional ones outside a transaction block';

CREATE PROCEDURE @extschema@.migrate_revert(steps integer DEFAULT 1, target bigint DEFAULT NULL,
    set text DEFAULT 'main', schemas text[] DEFAULT NULL)
AS 'MODULE_PATHNAME', 'migrate_revert'
LANGUAGE C;

COMMENT ON PROCEDURE @extschema@.migrate_revert(integer, bigint, text, text[]) IS
    'run the down bodies of the newest applied migrations, committing after each, in each tenant schema given';

CREATE FUNCTION @extschema@.migrate_resolve(version bigint, state text, set text DEFAULT 'main',
    schema text DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'migrate_resolve'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.migrate_resolve(bigint, text, text, text) IS
    'record that a person repaired a failed migration: it is now applied, or pending';

REVOKE ALL ON FUNCTION @extschema@.migrate_define(bigint, text, text, text, boolean, text[], text),
    @extschema@.migrate_remove(bigint, text),
    @extschema@.migrate_apply(bigint, integer, text, text),
    @extschema@.migrate_rollback(integer, bigint, text, text),
    @extschema@.migrate_status(text, text),
    @extschema@.migrate_plan(bigint, integer, text, text),
    @extschema@.migrate_baseline(bigint, text, text),
    @extschema@.migrate_verify(bigint, text, text),
    @extschema@.migrate_resolve(bigint, text, text, text) FROM PUBLIC;
REVOKE ALL ON PROCEDURE @extschema@.migrate_deploy(bigint, integer, text, text[]),
    @extschema@.migrate_revert(integer, bigint, text, text[]) FROM PUBLIC;

SELECT @extschema@.migrate_regrant(g.grants, n.new_signature)
  FROM @extschema@.migrate_saved_grants g
  JOIN (VALUES
        ('migrate_define', '@extschema@.migrate_define(bigint, text, text, text, boolean, text[], text)'),
        ('migrate_remove', '@extschema@.migrate_remove(bigint, text)'),
        ('migrate_apply', '@extschema@.migrate_apply(bigint, integer, text, text)'),
        ('migrate_rollback', '@extschema@.migrate_rollback(integer, bigint, text, text)'),
        ('migrate_status', '@extschema@.migrate_status(text, text)'),
        ('migrate_plan', '@extschema@.migrate_plan(bigint, integer, text, text)'),
        ('migrate_baseline', '@extschema@.migrate_baseline(bigint, text, text)'),
        ('migrate_verify', '@extschema@.migrate_verify(bigint, text, text)'),
        ('migrate_deploy', '@extschema@.migrate_deploy(bigint, integer, text, text[])'),
        ('migrate_revert', '@extschema@.migrate_revert(integer, bigint, text, text[])'),
        ('migrate_resolve', '@extschema@.migrate_resolve(bigint, text, text, text)'))
       AS n(name, new_signature) ON n.name = g.name
 WHERE g.grants IS NOT NULL;

DROP FUNCTION @extschema@.migrate_regrant(aclitem[], text);
DROP TABLE @extschema@.migrate_saved_grants;

/*
 * Repeatable migrations, one at a time and as a set (the form that
 * pg_migrate sends for R__<name>.sql files).  Granted to nobody, as
 * migrate_define(): their bodies run with the privileges of whoever
 * applies them.
 */
CREATE FUNCTION @extschema@.migrate_define_repeatable(name text, body text,
    down text DEFAULT NULL, safety_assured text[] DEFAULT '{}', set text DEFAULT 'main')
RETURNS text
AS 'MODULE_PATHNAME', 'migrate_define_repeatable'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.migrate_define_repeatable(text, text, text, text[], text) IS
    'store a repeatable migration, run after the versioned ones whenever it changes';

CREATE FUNCTION @extschema@.migrate_load_repeatables(names text[], bodies text[],
    downs text[] DEFAULT NULL, files text[] DEFAULT NULL, prune boolean DEFAULT false,
    set text DEFAULT 'main')
RETURNS TABLE (name text, action text)
AS 'MODULE_PATHNAME', 'migrate_load_repeatables'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.migrate_load_repeatables(text[], text[], text[], text[], boolean, text) IS
    'store a set''s repeatable migrations in one call (new, replaced, unchanged; removed with prune)';

REVOKE ALL ON FUNCTION @extschema@.migrate_define_repeatable(text, text, text, text[], text),
    @extschema@.migrate_load_repeatables(text[], text[], text[], text[], boolean, text)
    FROM PUBLIC;

/*
 * The change counter of each set and schema other than the default one
 * ('main' with no schema, which keeps migrate_state's): migrators of two
 * tenants each bump their own row, so that neither waits for the other's
 * transaction.  Internal; not dumped.
 */
CREATE TABLE @extschema@.migrate_epochs (
    set text NOT NULL,
    schema text NOT NULL,
    epoch bigint NOT NULL,
    PRIMARY KEY (set, schema)
);

COMMENT ON TABLE @extschema@.migrate_epochs IS
    'internal: change counter of each set and schema but the default one';

REVOKE ALL ON TABLE @extschema@.migrate_epochs FROM PUBLIC;

/*
 * migrate_status() of a set in many tenant schemas at once, each row with
 * its schema: where a fleet of tenants stands, in one query.
 */
CREATE FUNCTION @extschema@.migrate_status_schemas(set text, schemas text[])
RETURNS TABLE (schema text, version bigint, name text, state text, applied_at timestamptz,
               transactional boolean, reversible boolean, unassured text[], detail text)
AS 'MODULE_PATHNAME', 'migrate_status_schemas'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION @extschema@.migrate_status_schemas(text, text[]) IS
    'migrate_status() of a set in each schema given, the schemas in the order given';

REVOKE ALL ON FUNCTION @extschema@.migrate_status_schemas(text, text[]) FROM PUBLIC;
