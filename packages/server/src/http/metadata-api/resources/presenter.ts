import { directiveById, label } from '../../../domain/directives.js';
import type { Group } from '../../../domain/model/groups.js';
import type { License } from '../../../domain/model/licenses.js';
import type { RecordPart } from '../../../domain/model/records.js';
import type { AttributeView } from '../../../domain/record-attributes.js';
import type { ContentKind, RecordContents } from '../../../domain/record-contents.js';
import { envelopeOf, recordText, type RecordView } from '../../../domain/records.js';
import { atLeast } from '../../../domain/policies/items.js';
import { presentContact } from '../contacts/presenter.js';
import { wireTimestamp } from '../conventions/wire.js';
import { presentSpecification } from '../specifications/routes.js';
import { workgroupRef } from '../workgroups/presenter.js';

/** What `_include` may ask of a record (`all` asks for every one), as the SDK's `_include=all` expands it. */
export const recordIncludes = [
  '_abilities', '_creator', 'conditions', 'contacts', 'coordinate-system', 'events', 'feature-attributes', 'keywords', 'layers',
  'limitations', 'links', 'operations', 'serviceLayers', 'specifications', 'tags', 'translations',
] as const;

/** The parts each include needs loaded. */
const includeContents: Partial<Record<(typeof recordIncludes)[number], ContentKind>> = {
  conditions: 'conditions',
  contacts: 'contacts',
  'coordinate-system': 'coordinateSystem',
  events: 'events',
  'feature-attributes': 'attributes',
  limitations: 'limitations',
  links: 'links',
  specifications: 'conformity',
  layers: 'serviceLayers',
  serviceLayers: 'serviceLayers',
  operations: 'operations',
};

export function contentsFor(include: ReadonlySet<string>): Set<ContentKind> {
  const wanted = new Set<ContentKind>();
  for (const name of include) if (Object.hasOwn(includeContents, name)) wanted.add(includeContents[name as keyof typeof includeContents]!);
  // Tags name the record's format, coordinate system, licences, contacts and link actions.
  if (include.has('tags')) for (const kind of ['coordinateSystem', 'conditions', 'contacts', 'links'] as const) wanted.add(kind);
  return wanted;
}

const typeTags = { vectorDataset: 'vector-dataset', rasterDataset: 'raster-dataset', noGeoDataset: 'no-geo-dataset', service: 'service', resource: 'resource', dataset: 'dataset' } as const;
const typeLabels: Record<string, Record<string, string>> = {
  vectorDataset: { fr: 'Donnée vecteur', en: 'Vector dataset', es: 'Datos vectoriales', pt: 'Dados vetoriais' },
  rasterDataset: { fr: 'Donnée raster', en: 'Raster dataset', es: 'Datos ráster', pt: 'Dados raster' },
  noGeoDataset: { fr: 'Donnée non géographique', en: 'Non-geographic dataset', es: 'Datos no geográficos', pt: 'Dados não geográficos' },
  service: { fr: 'Service', en: 'Service', es: 'Servicio', pt: 'Serviço' },
  resource: { fr: 'Ressource', en: 'Resource', es: 'Recurso', pt: 'Recurso' },
  dataset: { fr: 'Jeu de données', en: 'Dataset', es: 'Conjunto de datos', pt: 'Conjunto de dados' },
};

/** Isogeo's License, its keys only. */
export function presentLicense(license: License, group: Group | null) {
  return {
    _id: license.uid,
    _tag: `license:${group ? group.uid : 'isogeo'}:${license.uid}`,
    content: license.text || null,
    link: license.url,
    name: license.title,
    owner: group ? workgroupRef(group) : null,
  };
}

export function presentEvent(part: RecordPart) {
  return { _id: part.uid, date: part.body.date, description: part.body.description ?? null, kind: part.body.kind, waitForSync: part.body.waitForSync ?? false };
}

export function presentLimitation(part: RecordPart, lang: string | undefined) {
  const directive = typeof part.body.directive === 'string' ? directiveById(part.body.directive) : undefined;
  return {
    _id: part.uid,
    description: part.body.description ?? null,
    directive: directive ? presentDirective(directive, lang) : null,
    restriction: part.body.restriction ?? null,
    type: part.body.type,
  };
}

export function presentDirective(directive: NonNullable<ReturnType<typeof directiveById>>, lang: string | undefined) {
  return { _id: directive._id, description: label(directive.description, lang), name: label(directive.name, lang) };
}

/** Isogeo's Link; a hosted one's `url` is its download path under the API (the SDK prefixes its base). */
export function presentLink(part: RecordPart) {
  return {
    _id: part.uid,
    actions: part.body.actions ?? [],
    ...(part.body.type === 'hosted' && { fileName: part.body.fileName, size: part.body.size }),
    kind: part.body.kind,
    link: part.body.link ?? null,
    title: part.body.title,
    type: part.body.type,
    url: part.body.url,
  };
}

export function presentServiceLayer(part: RecordPart) {
  return { _id: part.uid, id: part.body.id, mimeTypes: part.body.mimeTypes ?? [], title: part.body.title ?? null, titles: part.body.titles ?? [], type: part.body.type ?? null };
}

export function presentOperation(part: RecordPart) {
  return { _id: part.uid, mimeTypesIn: part.body.mimeTypesIn ?? [], mimeTypesOut: part.body.mimeTypesOut ?? [], name: part.body.name, url: part.body.url, verb: part.body.verb };
}

export function presentAttribute(attribute: AttributeView) {
  const body = attribute.body;
  const value = (key: string) => (Object.hasOwn(body, key) ? body[key] : null);
  return {
    _id: attribute.uid,
    alias: value('alias'),
    comment: value('comment'),
    dataType: value('dataType'),
    description: value('description'),
    hasElevation: value('hasElevation'),
    hasMeasure: value('hasMeasure'),
    isAutoGenerated: value('isAutoGenerated'),
    isNullable: value('isNullable'),
    isReadOnly: value('isReadOnly'),
    language: value('language'),
    length: value('length'),
    name: attribute.name,
    precision: value('precision'),
    propertyType: value('propertyType'),
    scale: value('scale'),
    spatialContext: value('spatialContext'),
  };
}

export function presentCondition(part: RecordPart, license: License, group: Group) {
  return { _id: part.uid, description: part.body.description ?? null, license: presentLicense(license, license.group_id === null ? null : group) };
}

export function presentConformity({ part, specification }: RecordContents['conformity'][number], group: Group) {
  return { conformant: part.body.conformant === true, specification: presentSpecification(specification, group, { include: new Set(), canEdit: false }) };
}

export function presentRecordContact({ part, contact }: RecordContents['contacts'][number], group: Group) {
  return { _id: part.uid, contact: presentContact(contact, group, { include: new Set(), canEdit: false }), role: part.body.role };
}

/** The record's tags, each with its label: what search facets and the SDK's `tags` read. */
function tagsOf(view: RecordView, contents: RecordContents, lang: string | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  tags[`type:${typeTags[view.record.type]}`] = typeLabels[view.record.type]![lang ?? 'fr'] ?? typeLabels[view.record.type]!.fr!;
  tags[`owner:${view.group.uid}`] = view.group.name;
  tags[`provider:${view.record.edition_profile === 'csw' ? 'auto' : 'manual'}`] = view.record.edition_profile === 'csw' ? 'auto' : 'manual';
  const format = view.facts?.format ?? view.record.fields.format;
  if (format) tags[`format:${format}`] = format;
  if (contents.coordinateSystem) tags[`coordinate-system:${contents.coordinateSystem.code}`] = contents.coordinateSystem.alias ?? contents.coordinateSystem.name;
  for (const { license } of contents.conditions) tags[`license:${license.group_id === null ? 'isogeo' : view.group.uid}:${license.uid}`] = license.title;
  for (const { contact } of contents.contacts) tags[`contact:${view.group.uid}:${contact.uid}`] = contact.name ?? contact.organization ?? contact.email ?? contact.uid;
  for (const link of contents.links) for (const action of (link.body.actions as string[] | undefined) ?? []) tags[`action:${action}`] = action;
  return tags;
}

/** The record's `_abilities`, by the caller's level on it. */
function abilitiesOf(view: RecordView): string[] {
  if (atLeast(view.level, 'admin')) return ['resource:read', 'resource:update', 'resource:delete', 'resource:manage'];
  if (atLeast(view.level, 'edit')) return ['resource:read', 'resource:update', 'resource:delete'];
  return ['resource:read'];
}

const rootFields = ['collectionContext', 'collectionMethod', 'distance', 'encoding', 'formatVersion', 'geoContext', 'language', 'name', 'path', 'precision', 'scale', 'topologicalConsistency', 'updateFrequency', 'validFrom', 'validTo', 'validityComment'] as const;

/**
 * A record: every root attribute (null when unset), and what `_include` asks for. Included keys
 * keep the hyphens the SDK expects (`coordinate-system`, `feature-attributes`).
 */
export function presentRecord(view: RecordView, contents: RecordContents, include: ReadonlySet<string>, lang: string | undefined) {
  const { record, facts, group } = view;
  const fields = record.fields;
  const own = Object.fromEntries(rootFields.map((key) => [key, fields[key] ?? null]));
  if (facts?.encoding) own.encoding = facts.encoding;
  const modified = facts && facts.modified > record.updated_at ? facts.modified : record.updated_at;
  const { title, abstract } = recordText(view);
  const has = (name: string) => include.has(name);
  return {
    ...(has('_abilities') && { _abilities: abilitiesOf(view) }),
    _created: wireTimestamp(record.created_at),
    ...(has('_creator') && { _creator: { ...workgroupRef(group), _created: wireTimestamp(group.created_at), _modified: wireTimestamp(group.updated_at) } }),
    _deleted: false,
    _id: record.uid,
    _modified: wireTimestamp(modified),
    abstract,
    ...own,
    created: fields.created ?? (facts ? facts.created.slice(0, 10) : null),
    editionProfile: record.edition_profile,
    envelope: facts ? (facts.extent && envelopeOf(facts.extent)) : (fields.envelope ?? null),
    features: facts ? facts.features : (fields.features ?? null),
    format: facts ? facts.format : (fields.format ?? null),
    geometry: facts ? facts.geometry : (fields.geometry ?? null),
    modified: fields.modified ?? (facts ? facts.modified.slice(0, 10) : null),
    published: fields.published ?? (facts?.published ? facts.published.slice(0, 10) : null),
    series: record.series,
    title,
    type: record.type,
    ...(has('conditions') && { conditions: contents.conditions.map(({ part, license }) => presentCondition(part, license, group)) }),
    ...(has('contacts') && { contacts: contents.contacts.map((entry) => presentRecordContact(entry, group)) }),
    ...(has('coordinate-system') && {
      'coordinate-system': contents.coordinateSystem && {
        _tag: `coordinate-system:${contents.coordinateSystem.code}`,
        alias: contents.coordinateSystem.alias,
        code: String(contents.coordinateSystem.code),
        name: contents.coordinateSystem.name,
      },
    }),
    ...(has('events') && { events: contents.events.map(presentEvent) }),
    ...(has('feature-attributes') && { 'feature-attributes': contents.attributes.map(presentAttribute) }),
    // Keywords and thesauri come with the search language (issue 18): none is held yet.
    ...(has('keywords') && { keywords: [] }),
    ...(has('layers') && { layers: contents.serviceLayers.map(presentServiceLayer) }),
    ...(has('limitations') && { limitations: contents.limitations.map((part) => presentLimitation(part, lang)) }),
    ...(has('links') && { links: contents.links.map(presentLink) }),
    ...(has('operations') && { operations: contents.operations.map(presentOperation) }),
    ...(has('serviceLayers') && { serviceLayers: contents.serviceLayers.map(presentServiceLayer) }),
    ...(has('specifications') && { specifications: contents.conformity.map((entry) => presentConformity(entry, group)) }),
    ...(has('tags') && { tags: tagsOf(view, contents, lang) }),
    ...(has('translations') && { translations: [] }),
  };
}
