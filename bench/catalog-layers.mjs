// The seeded catalog's published layers and tables, as both stores' seeders read them.

/** Their catalog rows: kind, item id and extent. */
export const layerRows = `select kind, item_id, minx, miny, maxx, maxy from catalog_items where view = 'published' and kind in ('layer', 'table')`;

/** Their extents by `kind:item_id` (null without one). */
export const extentsOf = (rows) => new Map(rows.map((r) => [`${r.kind}:${r.item_id}`, r.minx === null ? null : [r.minx, r.miny, r.maxx, r.maxy]]));
