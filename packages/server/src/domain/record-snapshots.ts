/**
 * How an item's record and its versions relate. The record is the item's living metadata: it
 * changes whenever it is edited, in either face. Each publish keeps a snapshot of it with the
 * version, so a published version's metadata (its ISO document in the Data API and in exports)
 * never changes afterwards. A title or abstract given to the record becomes the next draft's,
 * and once a version is published its title and abstract are the record's again.
 */
import type { RecordFields } from './model/records.js';
import type { Repositories } from './ports/store.js';
import { recordContents, type RecordContents } from './record-contents.js';

/** What a snapshot holds: the record's fields and parts as they were. */
export interface SnapshotBody {
  fields: RecordFields;
  contents: RecordContents;
}

type VersionRef = { version_id: number } | { set_version_id: number };

/**
 * At publish, in its transaction: the record kept with the version. The record's own title and
 * abstract are dropped once the version carries them (its draft took them); ones given after
 * the draft was made stay, for the next draft.
 */
export async function keepRecordWithVersion(
  repos: Repositories,
  item: { kind: 'layer' | 'set'; id: number },
  version: VersionRef,
  words: { title: string; description: string },
  at: string,
): Promise<void> {
  const record = await repos.records.findForItem(item.kind, item.id);
  const group = record && (await repos.groups.findById(record.group_id));
  if (!record || !group) return;
  // Without facts, the attributes are the descriptions the record holds, by name.
  const contents = await recordContents(repos, { record, group, level: 'view', facts: null }, new Set(['events', 'limitations', 'links', 'conditions', 'conformity', 'contacts', 'attributes']));
  const { title, abstract, ...rest } = record.fields;
  const body: SnapshotBody = { fields: rest, contents };
  await repos.records.putSnapshot({ record_id: record.id, version_id: null, set_version_id: null, ...version, body: body as unknown as Record<string, unknown>, created_at: at });
  const kept = { ...rest, ...(title != null && title !== words.title && { title }), ...(abstract != null && abstract !== words.description && { abstract }) };
  if (Object.keys(kept).length !== Object.keys(record.fields).length) await repos.records.update(record.id, { fields: kept, updated_at: at });
}

/** A new draft's title and description: the record's own when it has them, else the version it copies. */
export async function draftText(repos: Repositories, item: { kind: 'layer' | 'set'; id: number }, latest: { title: string; description: string }): Promise<{ title: string; description: string }> {
  const fields = (await repos.records.findForItem(item.kind, item.id))?.fields;
  return { title: fields?.title ?? latest.title, description: fields?.abstract ?? latest.description };
}

/** The snapshot a published version keeps, if it was published with one. */
export async function snapshotOf(repos: Repositories, version: VersionRef): Promise<SnapshotBody | undefined> {
  return (await repos.records.snapshotOf(version))?.body as SnapshotBody | undefined;
}
