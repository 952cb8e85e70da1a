import type { Expression, SelectQueryBuilder, SqlBool } from 'kysely';

/**
 * What the repositories' SQL says differently on each engine. Everything else is Kysely's
 * common SQL; each store passes its own dialect to the repositories.
 */
export interface SqlDialect {
  readonly engine: 'sqlite' | 'postgres';
  /** True when the JSON array of strings in column `column` holds `value`. */
  jsonArrayHas(column: string, value: unknown): Expression<SqlBool>;
  /**
   * `column` equals `value` ignoring case, through the column's unique index: user and group
   * names (SQLite: the column's NOCASE collation; PostgreSQL: its index on lower()).
   */
  sameName(column: string, value: string): Expression<SqlBool>;
  /**
   * How a claim's subquery holds the row it picks. SQLite: as it is, since an UPDATE is a write
   * transaction no other connection interleaves with. PostgreSQL: `FOR UPDATE SKIP LOCKED`, so
   * concurrent claims pass over each other's rows instead of waiting on them.
   */
  lockForClaim<DB, TB extends keyof DB, O>(next: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O>;
}
