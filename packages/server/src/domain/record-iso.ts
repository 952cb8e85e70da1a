/**
 * A record as ISO 19139: the Metadata API's `GET /resources/{id}.xml`, and what a Data API
 * version's generated document takes from its item's record (contacts, conditions,
 * limitations, conformity, events, links, attribute descriptions). One mapping serves both.
 */
import type { Actor } from './actor.js';
import type { DomainContext } from './context.js';
import { directiveById } from './directives.js';
import { buildIso19139, type MetadataRecord, type Party } from './metadata/index.js';
import type { Contact } from './model/contacts.js';
import type { Group } from './model/groups.js';
import type { RecordFields } from './model/records.js';
import { recordContents, type ContentKind, type RecordContents } from './record-contents.js';
import { recordText, recordView, type RecordView } from './records.js';
import { snapshotOf } from './record-snapshots.js';

/** A record's `fileIdentifier`, and its CSW record id: `urn:isogeo:metadata:uuid:` and the dashed uid. */
export function recordUrn(uid: string): string {
  return `urn:isogeo:metadata:uuid:${uid.slice(0, 8)}-${uid.slice(8, 12)}-${uid.slice(12, 16)}-${uid.slice(16, 20)}-${uid.slice(20)}`;
}

/** ISO 639-1 codes as the ISO 639-2/B codes gmd:LanguageCode carries. */
const languageCodes = new Map([
  ['fr', 'fre'], ['en', 'eng'], ['es', 'spa'], ['pt', 'por'], ['de', 'ger'], ['it', 'ita'], ['nl', 'dut'], ['mi', 'mao'], ['ca', 'cat'], ['eu', 'baq'], ['br', 'bre'], ['oc', 'oci'],
]);

export function iso639b(language: string | null | undefined): string | undefined {
  if (!language) return undefined;
  return languageCodes.get(language) ?? (language.length === 3 ? language : undefined);
}

function partyOf(contact: Contact): Party {
  return {
    organisation: contact.organization,
    individual: contact.name,
    email: contact.email,
    phone: contact.phone,
    fax: contact.fax,
    addressLines: [contact.address_line1, contact.address_line2, contact.address_line3].filter((line): line is string => !!line),
    city: contact.city,
    postalCode: contact.zip_code,
    country: contact.country_code,
  };
}

/** What a record says beyond its item's data, as the ISO builder's optional fields. */
function extrasOf(fields: RecordFields, contents: RecordContents, absoluteUrl: (path: string) => string): Partial<MetadataRecord> {
  return {
    parties: contents.contacts.map(({ part, contact }) => ({ ...partyOf(contact), role: String(part.body.role) })),
    conditions: contents.conditions.map(({ part, license }) => ({ title: license.title, url: license.url, description: (part.body.description as string | null) ?? null })),
    limitations: contents.limitations.map((part) => {
      const directive = typeof part.body.directive === 'string' ? directiveById(part.body.directive) : undefined;
      return {
        type: part.body.type as 'legal' | 'security',
        restriction: (part.body.restriction as string | null) ?? null,
        description: (part.body.description as string | null) ?? null,
        directive: directive ? `${directive.name.en}: ${directive.description.en}` : null,
      };
    }),
    conformity: contents.conformity.map(({ part, specification }) => ({ title: specification.name, published: specification.published, link: specification.link, conformant: part.body.conformant === true })),
    events: contents.events.map((part) => ({ date: String(part.body.date), kind: part.body.kind as 'creation' | 'update' | 'publication', description: (part.body.description as string | null) ?? null })),
    links: contents.links.map((part) => ({
      url: part.body.type === 'hosted' ? absoluteUrl(String(part.body.url)) : String(part.body.url),
      title: String(part.body.title),
      kind: String(part.body.kind),
      actions: (part.body.actions as string[] | undefined) ?? [],
    })),
    serviceLayers: contents.serviceLayers.map((part) => ({ name: String(part.body.id), title: (part.body.title as string | null) ?? null })),
    operations: contents.operations.map((part) => ({ name: String(part.body.name), verb: String(part.body.verb), url: String(part.body.url) })),
    updateFrequency: fields.updateFrequency ?? null,
    validFrom: fields.validFrom ?? null,
    validTo: fields.validTo ?? null,
    validityComment: fields.validityComment ?? null,
    collectionContext: fields.collectionContext ?? null,
    collectionMethod: fields.collectionMethod ?? null,
    topologicalConsistency: fields.topologicalConsistency ?? null,
    geoContext: fields.geoContext ?? null,
    scale: fields.scale ?? null,
    distance: fields.distance ?? null,
    ...(iso639b(fields.language) && { language: iso639b(fields.language) }),
  };
}

const extraKinds: ReadonlySet<ContentKind> = new Set(['events', 'limitations', 'links', 'conditions', 'conformity', 'contacts', 'attributes']);

/**
 * What a Data API version's generated document takes from its item's record: the parts, and the
 * attributes' descriptions by name. A published version takes what the record held when it was
 * published (its snapshot), a draft what it holds now. Undefined when the item has no record.
 */
export async function itemRecordExtras(
  ctx: DomainContext,
  item: { kind: 'layer' | 'set'; id: number },
  version: { published: boolean; ref: { version_id: number } | { set_version_id: number } },
  group: Group,
  absoluteUrl: (path: string) => string,
): Promise<{ extras: Partial<MetadataRecord>; describe: (field: { name: string; type: string }) => MetadataRecord['fields'][number] } | undefined> {
  const record = await ctx.store.records.findForItem(item.kind, item.id);
  if (!record) return undefined;
  const snapshot = version.published ? await snapshotOf(ctx.store, version.ref) : undefined;
  // The parts need no facts (the version in hand has them): the attributes are the record's descriptions, by name.
  const contents = snapshot?.contents ?? (await recordContents(ctx.store, { record, group, level: 'view', facts: null }, extraKinds));
  const described = new Map(contents.attributes.map((attribute) => [attribute.name, attribute.body]));
  return {
    extras: extrasOf(snapshot?.fields ?? record.fields, contents, absoluteUrl),
    describe: (field) => ({ ...field, alias: (described.get(field.name)?.alias as string | undefined) ?? null, description: (described.get(field.name)?.description as string | undefined) ?? null }),
  };
}

const kindOf = (view: RecordView): MetadataRecord['kind'] => {
  if (view.record.series) return 'set';
  switch (view.record.type) {
    case 'vectorDataset':
      return 'layer';
    case 'noGeoDataset':
      return 'table';
    case 'service':
      return 'service';
    case 'resource':
      return 'resource';
    default:
      return 'dataset';
  }
};

/** The bounding box of a GeoJSON geometry's coordinates. */
function bboxOf(geometry: object | null | undefined): [number, number, number, number] | null {
  if (!geometry) return null;
  const xs: number[] = [];
  const ys: number[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node) && typeof node[0] === 'number' && typeof node[1] === 'number') {
      xs.push(node[0]);
      ys.push(node[1]);
    } else if (Array.isArray(node)) node.forEach(walk);
  };
  walk((geometry as { coordinates?: unknown }).coordinates);
  return xs.length === 0 ? null : [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** The record as one ISO 19139 document, with everything it holds. */
export function recordAsIso(view: RecordView, contents: RecordContents, absoluteUrl: (path: string) => string): string {
  const { record, facts, group } = view;
  const fields = record.fields;
  const { title, abstract } = recordText(view);
  const modified = facts && facts.modified > record.updated_at ? facts.modified : record.updated_at;
  const crs = contents.coordinateSystem ? `EPSG:${contents.coordinateSystem.code}` : null;
  const format = facts?.format ?? fields.format ?? null;
  return buildIso19139({
    fileIdentifier: recordUrn(record.uid),
    title: title ?? record.uid,
    abstract: abstract ?? '',
    kind: kindOf(view),
    keywords: facts?.tags ?? [],
    categories: facts?.categories ?? [],
    created: fields.created ?? facts?.created ?? record.created_at,
    updated: modified,
    published: fields.published ?? facts?.published ?? null,
    extent: facts ? facts.extent : bboxOf(fields.envelope),
    crs,
    geometryType: facts ? facts.geometry : (fields.geometry ?? null),
    featureCount: facts ? facts.features : (fields.features ?? null),
    fields: contents.attributes.map((a) => ({ name: a.name, type: String(a.body.dataType ?? 'unknown'), alias: (a.body.alias as string | null) ?? null, description: (a.body.description as string | null) ?? null })),
    license: null,
    contact: { organisation: group.name, email: null },
    url: absoluteUrl(`/resources/${record.uid}/`),
    format: format ? { name: format, version: fields.formatVersion ?? null } : null,
    ...extrasOf(fields, contents, absoluteUrl),
  });
}

/** `GET /resources/{id}.xml`: the record, for whoever reads it. */
export async function recordIso(ctx: DomainContext, actor: Actor, uid: string, absoluteUrl: (path: string) => string): Promise<string> {
  const view = await recordView(ctx, actor, uid);
  return recordAsIso(view, await recordContents(ctx.store, view), absoluteUrl);
}
