/**
 * Everything a record holds, gathered for its readers: the Metadata API's `_include`, and its
 * ISO 19139 document (which takes it all).
 */
import { epsgCoordinateSystem, type CoordinateSystemEntry } from '../geo/coordinate-systems.js';
import type { Contact } from './model/contacts.js';
import type { License } from './model/licenses.js';
import type { RecordPart } from './model/records.js';
import type { Repositories } from './ports/store.js';
import type { Specification } from './model/specifications.js';
import { recordAttributes, type AttributeView } from './record-attributes.js';
import type { RecordView } from './records.js';

export interface RecordContents {
  events: RecordPart[];
  limitations: RecordPart[];
  links: RecordPart[];
  conditions: Array<{ part: RecordPart; license: License }>;
  conformity: Array<{ part: RecordPart; specification: Specification }>;
  contacts: Array<{ part: RecordPart; contact: Contact }>;
  attributes: AttributeView[];
  serviceLayers: RecordPart[];
  operations: RecordPart[];
  /** Its EPSG coordinate system (the data's, or the record's own), with the workgroup's alias. */
  coordinateSystem: (CoordinateSystemEntry & { alias: string | null }) | null;
}

export const contentKinds = ['events', 'limitations', 'links', 'conditions', 'conformity', 'contacts', 'attributes', 'coordinateSystem', 'serviceLayers', 'operations'] as const;
export type ContentKind = (typeof contentKinds)[number];

/** The parts of `wanted` kinds (the others come back empty), each with what it names; read through `repos` (the store, or a transaction's). */
export async function recordContents(repos: Repositories, view: RecordView, wanted: ReadonlySet<ContentKind> = new Set(contentKinds)): Promise<RecordContents> {
  const parts = wanted.size === 0 ? [] : await repos.records.parts(view.record.id);
  const of = (kind: RecordPart['kind']) => parts.filter((part) => part.kind === kind);
  const named = async <T>(kind: RecordPart['kind'], find: (uid: string) => Promise<T | undefined>): Promise<Array<{ part: RecordPart; item: T }>> => {
    if (!wanted.has(kind === 'condition' ? 'conditions' : kind === 'contact' ? 'contacts' : 'conformity')) return [];
    const found = await Promise.all(of(kind).map(async (part) => ({ part, item: await find(part.ref!) })));
    return found.flatMap(({ part, item }) => (item === undefined ? [] : [{ part, item }]));
  };
  const code = view.facts ? view.facts.crs : (view.record.fields.coordinateSystem ?? null);
  const entry = wanted.has('coordinateSystem') && code !== null ? epsgCoordinateSystem(code) : null;
  const [conditions, conformity, contacts, attributes, aliases] = await Promise.all([
    named('condition', (uid) => repos.licenses.findByUid(uid)),
    named('conformity', (uid) => repos.specifications.findByUid(uid)),
    named('contact', (uid) => repos.contacts.findByUid(uid)),
    wanted.has('attributes') ? recordAttributes(repos, view) : [],
    entry ? repos.groups.coordinateSystemAliases(view.group.id) : undefined,
  ]);
  return {
    events: wanted.has('events') ? of('event').sort((a, b) => String(a.body.date).localeCompare(String(b.body.date))) : [],
    limitations: wanted.has('limitations') ? of('limitation') : [],
    links: wanted.has('links') ? of('link') : [],
    conditions: conditions.map(({ part, item }) => ({ part, license: item })),
    conformity: conformity.map(({ part, item }) => ({ part, specification: item })),
    contacts: contacts.map(({ part, item }) => ({ part, contact: item })),
    attributes,
    serviceLayers: wanted.has('serviceLayers') ? of('service-layer') : [],
    operations: wanted.has('operations') ? of('operation') : [],
    coordinateSystem: entry ? { ...entry, alias: aliases?.get(entry.code) ?? null } : null,
  };
}
