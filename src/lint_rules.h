/*-------------------------------------------------------------------------
 *
 * lint_rules.h
 *	  The ids of the safety lint's rules (squawk's where one exists) and its
 *	  severities, as constants: a misspelt id fails to compile.
 *
 * An id is what migrate_lint() returns in its rule column, what
 * safety_assured accepts and what the README lists.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_LINT_RULES_H
#define MIGRATE_LINT_RULES_H

/* Severities: an error-level finding stops apply under migrate.safety = error */
#define LINT_ERROR "error"
#define LINT_WARNING "warning"

/* Rule ids */
#define RULE_ADDING_COLUMN_WITH_CHECK						"adding-column-with-check"
#define RULE_ADDING_COLUMN_WITH_CONSTRAINED_DOMAIN			"adding-column-with-constrained-domain"
#define RULE_ADDING_COLUMN_WITH_FOREIGN_KEY					"adding-column-with-foreign-key"
#define RULE_ADDING_COLUMN_WITH_UNIQUE_OR_PK				"adding-column-with-unique-or-pk"
#define RULE_ADDING_EXCLUSION_CONSTRAINT					"adding-exclusion-constraint"
#define RULE_ADDING_FIELD_WITH_DEFAULT						"adding-field-with-default"
#define RULE_ADDING_FOREIGN_KEY_CONSTRAINT					"adding-foreign-key-constraint"
#define RULE_ADDING_GENERATED_STORED_COLUMN					"adding-generated-stored-column"
#define RULE_ADDING_JSON_COLUMN								"adding-json-column"
#define RULE_ADDING_NOT_NULLABLE_FIELD						"adding-not-nullable-field"
#define RULE_ADDING_REQUIRED_FIELD							"adding-required-field"
#define RULE_ADDING_SERIAL_OR_IDENTITY_COLUMN				"adding-serial-or-identity-column"
#define RULE_ADDING_SERIAL_PRIMARY_KEY_FIELD				"adding-serial-primary-key-field"
#define RULE_ATTACH_PARTITION_WITHOUT_CHECK					"attach-partition-without-check"
#define RULE_BAN_ALTER_DOMAIN_WITH_ADD_CONSTRAINT			"ban-alter-domain-with-add-constraint"
#define RULE_BAN_CHAR_FIELD									"ban-char-field"
#define RULE_BAN_CONCURRENT_INDEX_CREATION_IN_TRANSACTION	"ban-concurrent-index-creation-in-transaction"
#define RULE_BAN_CREATE_DOMAIN_WITH_CONSTRAINT				"ban-create-domain-with-constraint"
#define RULE_BAN_DROP_COLUMN								"ban-drop-column"
#define RULE_BAN_DROP_DATABASE								"ban-drop-database"
#define RULE_BAN_DROP_NOT_NULL								"ban-drop-not-null"
#define RULE_BAN_DROP_SCHEMA_CASCADE						"ban-drop-schema-cascade"
#define RULE_BAN_DROP_TABLE									"ban-drop-table"
#define RULE_BAN_DUPLICATE_COLUMN_ASSIGNMENTS				"ban-duplicate-column-assignments"
#define RULE_BAN_TRUNCATE_CASCADE							"ban-truncate-cascade"
#define RULE_BAN_UNCOMMITTED_TRANSACTION					"ban-uncommitted-transaction"
#define RULE_CHANGING_COLUMN_TYPE							"changing-column-type"
#define RULE_CONSTRAINT_MISSING_NOT_VALID					"constraint-missing-not-valid"
#define RULE_CREATING_ENUM									"creating-enum"
#define RULE_DISALLOWED_UNIQUE_CONSTRAINT					"disallowed-unique-constraint"
#define RULE_DROPPING_FK_LOCKS_PARENT						"dropping-fk-locks-parent"
#define RULE_ENUM_VALUE_USED_IN_SAME_TRANSACTION			"enum-value-used-in-same-transaction"
#define RULE_FOREIGN_KEY_WITHOUT_INDEX						"foreign-key-without-index"
#define RULE_IDENTIFIER_TOO_LONG							"identifier-too-long"
#define RULE_MANY_COLUMNS_INDEX								"many-columns-index"
#define RULE_MULTIPLE_ALTER_TABLE							"multiple-alter-table"
#define RULE_PREFER_BIGINT_OVER_INT							"prefer-bigint-over-int"
#define RULE_PREFER_BIGINT_OVER_SMALLINT					"prefer-bigint-over-smallint"
#define RULE_PREFER_IDENTITY								"prefer-identity"
#define RULE_PREFER_REPACK									"prefer-repack"
#define RULE_PREFER_ROBUST_STMTS							"prefer-robust-stmts"
#define RULE_PREFER_TEXT_FIELD								"prefer-text-field"
#define RULE_PREFER_TIMESTAMPTZ								"prefer-timestamptz"
#define RULE_PRIMARY_KEY_USING_INDEX_ON_NULLABLE			"primary-key-using-index-on-nullable"
#define RULE_RAW_SQL_EXECUTED								"raw-sql-executed"
#define RULE_REFRESH_MATVIEW_NOT_CONCURRENTLY				"refresh-matview-not-concurrently"
#define RULE_RENAMING_COLUMN								"renaming-column"
#define RULE_RENAMING_ENUM_VALUE							"renaming-enum-value"
#define RULE_RENAMING_SCHEMA								"renaming-schema"
#define RULE_RENAMING_TABLE									"renaming-table"
#define RULE_RENAMING_TYPE									"renaming-type"
#define RULE_REQUIRE_CONCURRENT_INDEX_CREATION				"require-concurrent-index-creation"
#define RULE_REQUIRE_CONCURRENT_INDEX_DELETION				"require-concurrent-index-deletion"
#define RULE_REQUIRE_CONCURRENT_PARTITION_DETACH			"require-concurrent-partition-detach"
#define RULE_REQUIRE_CONCURRENT_REINDEX						"require-concurrent-reindex"
#define RULE_REQUIRE_ENUM_VALUE_ORDERING					"require-enum-value-ordering"
#define RULE_ROW_LEVEL_SECURITY_OR_POLICY					"row-level-security-or-policy"
#define RULE_RUNNING_STATEMENTS_WHILE_HOLDING_AEL			"running-statements-while-holding-ael"
#define RULE_TABLE_REWRITE_COMMANDS							"table-rewrite-commands"
#define RULE_TRANSACTION_NESTING							"transaction-nesting"
#define RULE_TRIGGER_DDL									"trigger-ddl"
#define RULE_TRUNCATE										"truncate"
#define RULE_VALIDATE_IN_SAME_TRANSACTION					"validate-in-same-transaction"

#endif							/* MIGRATE_LINT_RULES_H */
