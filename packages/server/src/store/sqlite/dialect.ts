import { sql, type SqlBool } from 'kysely';
import type { SqlDialect } from '../repositories/sql-dialect.js';

/** SQLite's forms of the repositories' engine-specific SQL. */
export const sqliteDialect: SqlDialect = {
  engine: 'sqlite',
  jsonArrayHas: (column, value) => sql<SqlBool>`exists (select 1 from json_each(${sql.ref(column)}) where json_each.value = ${value})`,
  sameName: (column, value) => sql<SqlBool>`${sql.ref(column)} = ${value}`,
  lockForClaim: (next) => next,
};
