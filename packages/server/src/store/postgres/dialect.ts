import { sql, type Expression, type SqlBool } from 'kysely';
import type { SqlDialect } from '../repositories/sql-dialect.js';

/** PostgreSQL's forms of the few conditions that differ from SQLite's. */
export const postgresDialect: SqlDialect = {
  engine: 'postgres',
  // jsonb's `?` tests for a top-level string element; text columns are cast (cheap for arrays this small).
  jsonArrayHas: (column: string, value: unknown): Expression<SqlBool> => sql<SqlBool>`(${sql.ref(column)})::jsonb ? ${String(value)}`,
  sameName: (column, value) => sql<SqlBool>`lower(${sql.ref(column)}) = lower(${value})`,
  lockForClaim: (next) => next.forUpdate().skipLocked(),
};
