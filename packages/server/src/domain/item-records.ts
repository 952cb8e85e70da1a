/**
 * Every catalog item has a metadata record with its uid, made in the transaction that makes the
 * item; the item's deletion takes it along (a foreign key's cascade), and then its hosted files.
 */
import { rm } from 'node:fs/promises';
import type { DomainContext } from './context.js';
import { absolute, dataPaths } from './data-paths.js';
import type { RecordItemKind, Repositories } from './ports/store.js';
import type { RecordType } from './model/records.js';

interface NewItem {
  id: number;
  uid: string;
  group_id: number;
  owner_id: number;
  created_at: string;
}

const recordTypeOf = { layer: 'vectorDataset', table: 'noGeoDataset', set: 'dataset', document: 'resource' } as const satisfies Record<string, RecordType>;

/** The record of a new layer, table, set or document; it joins its workgroup's scan catalogs. */
export async function addItemRecord(repos: Repositories, kind: keyof typeof recordTypeOf, item: NewItem): Promise<void> {
  const column: RecordItemKind = kind === 'table' ? 'layer' : kind;
  const record = await repos.records.create({
    uid: item.uid,
    group_id: item.group_id,
    layer_id: column === 'layer' ? item.id : null,
    set_id: column === 'set' ? item.id : null,
    document_id: column === 'document' ? item.id : null,
    type: recordTypeOf[kind],
    series: kind === 'set',
    edition_profile: 'manual',
    fields: {},
    created_by: item.owner_id || null,
    created_at: item.created_at,
    updated_at: item.created_at,
  });
  for (const catalog of await repos.recordCatalogs.listForGroup(item.group_id)) {
    if (catalog.scan) await repos.recordCatalogs.addRecord(catalog.id, record.id, item.created_at);
  }
}

/** After a record is deleted (with its item, or alone): its hosted files, which no row names any more. */
export async function removeRecordFiles(ctx: DomainContext, uid: string): Promise<void> {
  await rm(absolute(ctx.dataDir, dataPaths.recordFolder(uid)), { recursive: true, force: true });
}
