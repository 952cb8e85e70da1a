import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { permissionLevels, type ItemKind, type ItemVisibility } from '../../domain/policies/items.js';

/**
 * The SQL form of the item access rule, for lists: an item is visible when the caller is in its
 * owning group or a permission names one of the caller's principals. The same rule as
 * `effectiveLevel` in the domain, so counts and pages never show what a detail would refuse.
 */
export function visibleItem(
  eb: ExpressionBuilder<any, any>,
  kind: ItemKind,
  idColumn: string,
  groupColumn: string,
  visibility: ItemVisibility,
): Expression<SqlBool> {
  if (visibility.all) return sql<SqlBool>`1 = 1`;
  const inGroup = visibility.memberOf.length > 0 ? eb(sql.ref(groupColumn), 'in', visibility.memberOf) : sql<SqlBool>`0 = 1`;
  let grants = eb
    .selectFrom('permissions')
    .select('permissions.id')
    .where('permissions.item_kind', '=', kind)
    .where('permissions.item_id', '=', sql.ref(idColumn))
    .where('permissions.principal', 'in', visibility.principals);
  if (visibility.levels.length < permissionLevels.length) grants = grants.where('permissions.level', 'in', visibility.levels);
  const granted = eb.exists(grants);
  return eb.or([inGroup, granted]);
}
