/**
 * Applies a domain `ListQuery` (filters, sort, offset and limit) to a Kysely select. Every
 * repository's list goes through `runListQuery`, so paging, filtering and ordering behave the
 * same everywhere.
 */
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SelectQueryBuilder, type SqlBool, type Transaction } from 'kysely';
import type { FilterClause, FilterValue, ListQuery, ListResult } from '../../domain/list-query.js';

/** How a list field maps to SQL: a column reference, or a custom condition for one value. */
export type FieldMapping =
  | string
  | { condition: (eb: ExpressionBuilder<any, any>, lookup: FilterClause['lookup'], value: FilterValue) => Expression<SqlBool> }
  | { order: Expression<unknown> };

export type FieldMap = Readonly<Record<string, FieldMapping>>;

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function toSql(value: FilterValue): string | number {
  return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}

function columnCondition(column: string, lookup: FilterClause['lookup'], value: FilterValue): Expression<SqlBool> {
  const ref = sql.ref(column);
  const v = toSql(value);
  switch (lookup) {
    case 'exact':
      return sql<SqlBool>`${ref} = ${v}`;
    case 'iexact':
      return sql<SqlBool>`lower(${ref}) = lower(${v})`;
    case 'icontains':
      return sql<SqlBool>`lower(${ref}) like lower(${`%${escapeLike(String(value))}%`}) escape '\\'`;
    case 'startswith':
      return sql<SqlBool>`${ref} like ${`${escapeLike(String(value))}%`} escape '\\'`;
    case 'gt':
      return sql<SqlBool>`${ref} > ${v}`;
    case 'gte':
      return sql<SqlBool>`${ref} >= ${v}`;
    case 'lt':
      return sql<SqlBool>`${ref} < ${v}`;
    case 'lte':
      return sql<SqlBool>`${ref} <= ${v}`;
    case 'isnull':
      return value ? sql<SqlBool>`${ref} is null` : sql<SqlBool>`${ref} is not null`;
  }
}

function fieldFor(fields: FieldMap, name: string): FieldMapping {
  const mapping = Object.hasOwn(fields, name) ? fields[name] : undefined;
  // Faces only let through the fields their list offers; a miss here is a programming error.
  if (mapping === undefined) throw new Error(`List field "${name}" has no SQL mapping`);
  return mapping;
}

/**
 * Runs the count and the page in one transaction, so the total and the rows always agree.
 * `idColumn` breaks ties, so pages never overlap or skip rows when sort keys repeat.
 */
export async function runListQuery<DB, O>(
  db: Kysely<DB>,
  // Joins and aliases widen the builder's table types; only the row type O matters here.
  select: (db: Transaction<DB>) => SelectQueryBuilder<any, any, O>,
  query: ListQuery,
  fields: FieldMap,
  idColumn: string,
): Promise<ListResult<O>> {
  // Text and boxes are the catalog's, which has its own search (`catalog-search-index.ts`).
  if (query.text?.length || query.bbox?.length) throw new Error('This list takes no text search or bbox');
  return db.transaction().execute(async (trx) => {
    let base = select(trx);
    if (query.snapshot !== undefined) base = base.where(sql.ref(idColumn), '<=', query.snapshot);
    const { countQuery, pageQuery } = buildListQueries(base, query, fields, idColumn);
    const countRow = (await countQuery.executeTakeFirst()) as { total?: number; newest?: number | null } | undefined;
    const items = await pageQuery.execute();
    const newest = countRow?.newest ?? undefined;
    return { items, total: Number(countRow?.total ?? 0), ...((query.snapshot ?? newest) != null && { snapshot: query.snapshot ?? Number(newest) }) };
  });
}

function buildListQueries<DB, TB extends keyof DB, O>(
  base: SelectQueryBuilder<DB, TB, O>,
  query: ListQuery,
  fields: FieldMap,
  idColumn: string,
) {
  let filtered = base;
  for (const clause of query.filters) {
    const mapping = fieldFor(fields, clause.field);
    filtered = filtered.where((eb: ExpressionBuilder<any, any>) =>
      eb.or(
        clause.values.map((value) => {
          if (typeof mapping === 'string') return columnCondition(mapping, clause.lookup, value);
          if ('condition' in mapping) return mapping.condition(eb, clause.lookup, value);
          throw new Error(`List field "${clause.field}" cannot be filtered`);
        }),
      ),
    ) as typeof filtered;
  }

  let ordered = filtered;
  for (const key of query.sort) {
    const mapping = fieldFor(fields, key.field);
    const expression = typeof mapping === 'string' ? sql.ref(mapping) : 'order' in mapping ? mapping.order : null;
    if (!expression) throw new Error(`List field "${key.field}" cannot be sorted`);
    ordered = ordered.orderBy(expression as any, key.descending ? 'desc' : 'asc') as typeof ordered;
  }
  const lastDescending = query.sort.at(-1)?.descending ?? false;
  ordered = ordered.orderBy(sql.ref(idColumn), lastDescending ? 'desc' : 'asc') as typeof ordered;

  const countQuery = filtered
    .clearSelect()
    .clearOrderBy()
    .select([sql<number>`count(*)`.as('total'), sql<number | null>`max(${sql.ref(idColumn)})`.as('newest')]);
  const pageQuery = ordered.limit(query.limit).offset(query.offset);
  return { countQuery, pageQuery };
}
