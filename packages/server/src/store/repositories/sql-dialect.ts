import type { Expression, SqlBool } from 'kysely';

/**
 * What the repositories' SQL says differently on each engine. Everything else is Kysely's
 * common SQL; each store passes its own dialect to the repositories.
 */
export interface SqlDialect {
  readonly engine: 'sqlite' | 'postgres';
  /** True when the JSON array of strings in column `column` holds `value`. */
  jsonArrayHas(column: string, value: unknown): Expression<SqlBool>;
}
