import type { DomainContext } from './context.js';
import type { ItemRef } from './item-access.js';
import { reaches } from './layers.js';
import type { LayerType } from './model/layers.js';

/**
 * The type of item a route names: its collection's. A table is a `table` under /tables/ and a
 * `layer` under /layers/, which reaches both (see `reaches`).
 */
export type ItemType = LayerType | 'set' | 'source' | 'document';

/** An item as a request names it. */
export interface ItemAddress {
  type: ItemType;
  id: number;
}

/** The item as messages name it: `Layer 5`, `Table 5`, `Set 5`. */
export function itemName({ type, id }: ItemAddress): string {
  return `${type.charAt(0).toUpperCase()}${type.slice(1)} ${id}`;
}

/** The item as access checks see it, or undefined if there is no such item of that type. */
export async function findItemRef(ctx: DomainContext, { type, id }: ItemAddress): Promise<ItemRef | undefined> {
  switch (type) {
    case 'layer':
    case 'table': {
      const layer = await ctx.store.layers.findLayer(id);
      return layer && reaches(type, layer.type) ? { kind: 'layer', id, group_id: layer.group_id } : undefined;
    }
    case 'set': {
      const set = await ctx.store.sets.findSet(id);
      return set && { kind: 'set', id, group_id: set.group_id };
    }
    case 'source': {
      const source = await ctx.store.sources.findById(id);
      return source && { kind: 'source', id, group_id: source.group_id };
    }
    case 'document': {
      const document = await ctx.store.documents.findById(id);
      return document && { kind: 'document', id, group_id: document.group_id };
    }
  }
}
