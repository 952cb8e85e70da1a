/**
 * Metadata records: the Metadata API's face of catalog items, and records of their own.
 *
 * A layer, table, set or document has a record with its uid. What the item's data determines
 * (extent, coordinate system, feature count, geometry, format, attributes) is read from the
 * item's current version at every read, so it follows each published version and no copy can
 * fall behind. What a record says on top (contacts, conditions, events, attribute descriptions,
 * the ISO root fields) is the record's own; its title and abstract are the item's until the
 * record is given its own. A record without an item (a service, a document described here, a
 * dataset whose data lives elsewhere) holds every field itself.
 */
import { isDeepStrictEqual } from 'node:util';
import { isSiteAdmin, roleIn, type Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { setExtent } from './catalog.js';
import { deleteDocument } from './documents.js';
import { forbidden, invalidInput, MapshelfError, notFound } from './errors.js';
import { effectiveLevel } from './item-access.js';
import { removeRecordFiles } from './item-records.js';
import { deleteLayer } from './layers.js';
import type { Group } from './model/groups.js';
import { recordTypes, type RecordFields, type RecordType, type ResourceRecord } from './model/records.js';
import { atLeast, levelOfRole, type PermissionLevel } from './policies/items.js';
import { deleteSet } from './sets.js';
import { editsWorkgroup, seesWorkgroup } from './workgroups.js';
import { epsgCoordinateSystem } from '../geo/coordinate-systems.js';
import type { Bbox } from '../geo/crop.js';
import type { FieldInfo } from '../geo/datasets.js';

/** What a record's item determines, read from its current version. */
export interface RecordFacts {
  item: { kind: 'layer' | 'table' | 'set' | 'document'; id: number };
  title: string;
  abstract: string;
  tags: string[];
  categories: string[];
  license_id: number | null;
  /** [minx, miny, maxx, maxy] in EPSG:4326. */
  extent: Bbox | null;
  /** EPSG code. */
  crs: number | null;
  features: number | null;
  geometry: string | null;
  format: string | null;
  encoding: string | null;
  attributes: FieldInfo[];
  created: string;
  modified: string;
  published: string | null;
}

/** A record as one actor sees it. */
export interface RecordView {
  record: ResourceRecord;
  group: Group;
  level: PermissionLevel;
  facts: RecordFacts | null;
}

/** The root fields a request may set, in the wire's names; `type`, `series` and `editionProfile` beside them. */
export interface RecordInput {
  type?: string;
  series?: boolean | null;
  editionProfile?: string | null;
  fields: RecordFields;
}

const what = (uid: string) => `Resource ${uid}`;

/** The formats an upload is read in (`geo/datasets.ts`), as Isogeo's format codes. */
const formatCodes = new Map([
  ['ESRI Shapefile', 'shp'],
  ['GeoPackage', 'gpkg'],
  ['GeoJSON', 'geojson'],
  ['GeoJSONSeq', 'geojson'],
  ['CSV', 'csv'],
  ['KML', 'kml'],
  ['KMZ', 'kmz'],
  ['GML', 'gml'],
  ['FlatGeobuf', 'fgb'],
]);

const epsgCode = (crs: string | null): number | null => {
  const match = crs === null ? null : /^EPSG:(\d+)$/i.exec(crs);
  return match ? Number(match[1]) : null;
};

/**
 * The version a record's reader sees its item through: the published one, or for its editors
 * the latest; undefined when there is none they may see (an item never published is its
 * editors' alone).
 */
async function seenVersion<V>(item: { published_version_id: number | null } | undefined, level: PermissionLevel, latest: () => Promise<{ id: number } | undefined>, read: (id: number) => Promise<V | undefined>): Promise<V | undefined> {
  if (!item) return undefined;
  const id = item.published_version_id ?? (atLeast(level, 'edit') ? (await latest())?.id : undefined);
  return id === undefined ? undefined : read(id);
}

/** What every item describes itself with, as a record's facts name it. */
const described = (row: { title: string; description: string; tags: string[]; categories: string[]; license_id: number | null }) => ({
  title: row.title,
  abstract: row.description,
  tags: row.tags,
  categories: row.categories,
  license_id: row.license_id,
});

/** The facts of an item without vector data of its own (a set, a document). */
const noData = { crs: null, features: null, geometry: null, encoding: null, attributes: [] };

/** The item's facts, from the version the reader's level lets them see; undefined when there is none. */
async function factsOf(ctx: DomainContext, level: PermissionLevel, record: ResourceRecord): Promise<RecordFacts | null | undefined> {
  const { layers, sets } = ctx.store;
  if (record.layer_id !== null) {
    const layerId = record.layer_id;
    const row = await seenVersion(await layers.findLayer(layerId), level, () => layers.latestVersion(layerId), (id) => layers.findLayerVersion(id));
    if (!row) return undefined;
    const source = row.datasources[0] === undefined ? undefined : await ctx.store.sources.findDatasource(row.datasources[0]);
    return {
      item: { kind: row.layer_type, id: row.layer_id },
      ...described(row),
      extent: row.extent,
      crs: epsgCode(row.crs),
      features: row.feature_count,
      geometry: row.geometry_type,
      format: source ? (formatCodes.get(source.format) ?? source.format.toLowerCase()) : null,
      encoding: source?.encoding ?? null,
      attributes: row.fields.filter((field) => field.name !== row.geometry_field),
      created: row.layer_created_at,
      modified: row.published_at ?? row.updated_at,
      published: row.first_published_at,
    };
  }
  if (record.set_id !== null) {
    const setId = record.set_id;
    const row = await seenVersion(await sets.findSet(setId), level, () => sets.latestVersion(setId), (id) => sets.findSetVersion(id));
    if (!row) return undefined;
    return {
      item: { kind: 'set', id: row.set_id },
      ...described(row),
      ...noData,
      extent: await setExtent(ctx, row.id),
      format: null,
      created: row.set_created_at,
      modified: row.published_at ?? row.updated_at,
      published: row.first_published_at,
    };
  }
  if (record.document_id !== null) {
    const row = await ctx.store.documents.findById(record.document_id);
    if (!row) return undefined;
    return {
      item: { kind: 'document', id: row.id },
      ...described(row),
      ...noData,
      extent: null,
      format: row.filename.includes('.') ? row.filename.slice(row.filename.lastIndexOf('.') + 1).toLowerCase() : null,
      created: row.created_at,
      modified: row.updated_at,
      published: row.created_at,
    };
  }
  return null;
}

/**
 * The actor's level on a record: an item's record is the item's (its group role and its
 * permissions); a record on its own is its workgroup's (readers view, editors edit). Group
 * applications read what shares open to them; members of other workgroups what group shares
 * open to theirs.
 */
async function levelOn(ctx: DomainContext, actor: Actor, record: ResourceRecord): Promise<PermissionLevel | null> {
  if (actor.kind === 'application') return (await ctx.store.shares.opensRecord(record.id, { application: actor.application.id })) ? 'view' : null;
  let level: PermissionLevel | null;
  if (record.layer_id !== null) level = await effectiveLevel(ctx, actor, { kind: 'layer', id: record.layer_id, group_id: record.group_id });
  else if (record.set_id !== null) level = await effectiveLevel(ctx, actor, { kind: 'set', id: record.set_id, group_id: record.group_id });
  else if (record.document_id !== null) level = await effectiveLevel(ctx, actor, { kind: 'document', id: record.document_id, group_id: record.group_id });
  else level = isSiteAdmin(actor) ? 'admin' : levelOfRole(roleIn(actor, record.group_id));
  if (level !== null || actor.kind !== 'user') return level;
  // Another workgroup's record, in a catalog a share opens to one of the user's workgroups.
  return (await ctx.store.shares.opensRecord(record.id, { groups: actor.memberships.map((m) => m.group_id) })) ? 'view' : null;
}

/** A record, for an actor holding `needed` on it; one they can't see is missing, so uids can't be probed. */
export async function recordView(ctx: DomainContext, actor: Actor, uid: string, needed: PermissionLevel = 'view'): Promise<RecordView> {
  const record = await ctx.store.records.findByUid(uid);
  const level = record ? await levelOn(ctx, actor, record) : null;
  const group = record && (await ctx.store.groups.findById(record.group_id));
  if (!record || !group || !atLeast(level, 'view')) throw notFound(what(uid));
  const facts = await factsOf(ctx, level!, record);
  // An item never published is its editors' alone: to anyone else its record doesn't exist yet.
  if (facts === undefined) throw notFound(what(uid));
  if (!atLeast(level, needed)) {
    throw forbidden(`You need ${needed} permission on resource ${uid}; you have ${level}. Ask an admin or editor of workgroup ${group.uid}.`);
  }
  return { record, group, level: level!, facts };
}

export const getRecord = (ctx: DomainContext, actor: Actor, uid: string): Promise<RecordView> => recordView(ctx, actor, uid);

/** That the actor may change the record (before a hosted file is read, say); its 404 or 403 if not. */
export async function mayEditRecord(ctx: DomainContext, actor: Actor, uid: string): Promise<void> {
  await recordView(ctx, actor, uid, 'edit');
}

/** A record as a share's link shows it to anyone: for viewing, its item's published version only; undefined when there is none. */
export async function recordForLink(ctx: DomainContext, record: ResourceRecord): Promise<RecordView | undefined> {
  const group = await ctx.store.groups.findById(record.group_id);
  const facts = await factsOf(ctx, 'view', record);
  return group && facts !== undefined ? { record, group, level: 'view', facts } : undefined;
}

/** The record's item, as messages name it: `layer 5`. */
export function itemLabel(facts: RecordFacts): string {
  return `${facts.item.kind} ${facts.item.id}`;
}

const dateFields = ['validFrom', 'validTo', 'created', 'modified', 'published'] as const;
const textLimits: Partial<Record<keyof RecordFields, number>> = {
  title: 500,
  name: 500,
  path: 2000,
  abstract: 100_000,
  collectionContext: 100_000,
  collectionMethod: 100_000,
  geoContext: 10_000,
  topologicalConsistency: 100_000,
  validityComment: 100_000,
  format: 100,
  formatVersion: 100,
  precision: 100,
  geometry: 100,
  encoding: 50,
};
/** With the depth of their coordinate arrays. */
const geoJsonDepths = new Map([['Point', 1], ['MultiPoint', 2], ['LineString', 2], ['MultiLineString', 3], ['Polygon', 3], ['MultiPolygon', 4]]);

/** `2024-05-01` stays a date; a date and time becomes `YYYY-MM-DDTHH:MM:SS+00:00`. */
export function normalizedDate(field: string, value: string): string {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const time = Date.parse(dateOnly ? `${value}T00:00:00Z` : value);
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) || Number.isNaN(time)) {
    throw invalidInput(field, `must be a date (2024-05-01) or a date and time (2024-05-01T09:30:00+00:00); got "${value.slice(0, 40)}"`);
  }
  const iso = new Date(time).toISOString();
  if (dateOnly) {
    if (iso.slice(0, 10) !== value) throw invalidInput(field, `is not a calendar date: ${value}`);
    return value;
  }
  return `${iso.slice(0, 19)}+00:00`;
}

function checkedEnvelope(value: unknown): object {
  const geometry = value as { type?: unknown; coordinates?: unknown; geometries?: unknown };
  const depth = typeof geometry === 'object' && geometry !== null && typeof geometry.type === 'string' ? geoJsonDepths.get(geometry.type) : undefined;
  if (depth === undefined) {
    throw invalidInput('envelope', 'must be a GeoJSON Point, LineString or Polygon (or Multi…) in WGS 84, such as {"type": "Polygon", "coordinates": [[[x, y], …]]}');
  }
  const numbers: number[] = [];
  // Arrays exactly as deep as the type's, ending in positions of numbers.
  const walk = (node: unknown, level: number): void => {
    if (!Array.isArray(node)) throw invalidInput('envelope', `has coordinates that are not a ${geometry.type}'s`);
    if (level === 1) {
      if (node.length < 2 || node.length > 3 || !node.every((n) => typeof n === 'number' && Number.isFinite(n))) throw invalidInput('envelope', 'has a position that is not [longitude, latitude]');
      numbers.push(node[0] as number, node[1] as number);
    } else node.forEach((child) => walk(child, level - 1));
  };
  walk(geometry.coordinates, depth);
  if (numbers.length > 200_000) throw invalidInput('envelope', 'has more than 100000 positions; an envelope is a simple outline');
  for (let i = 0; i + 1 < numbers.length; i += 2) {
    if (Math.abs(numbers[i]!) > 180 || Math.abs(numbers[i + 1]!) > 90) throw invalidInput('envelope', 'must be in longitude and latitude (WGS 84): a coordinate is out of range');
  }
  return geometry;
}

/** The fields a request sets, checked; undefined ones are left out, null ones clear. */
function checkedFields(fields: RecordFields): RecordFields {
  const out: RecordFields = {};
  for (const [key, value] of Object.entries(fields) as Array<[keyof RecordFields, unknown]>) {
    if (value === undefined) continue;
    if (value === null) {
      (out as Record<string, unknown>)[key] = null;
      continue;
    }
    const limit = textLimits[key];
    if (limit !== undefined && typeof value === 'string' && value.length > limit) throw invalidInput(key, `must be at most ${limit} characters`);
    (out as Record<string, unknown>)[key] = value;
  }
  for (const field of dateFields) if (typeof out[field] === 'string') out[field] = normalizedDate(field, out[field]);
  if (out.validFrom && out.validTo && out.validTo < out.validFrom) throw invalidInput('validTo', 'must not be before validFrom');
  if (typeof out.updateFrequency === 'string' && !/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/.test(out.updateFrequency)) {
    throw invalidInput('updateFrequency', 'must be an ISO 8601 duration, such as P1Y (yearly) or P1M (monthly)');
  }
  if (typeof out.language === 'string' && !/^[a-z]{2,3}$/.test(out.language)) throw invalidInput('language', 'must be an ISO 639 language code, such as fr or en');
  if (typeof out.scale === 'number' && (!Number.isInteger(out.scale) || out.scale < 1)) throw invalidInput('scale', 'must be a whole number (the denominator of the scale, such as 25000)');
  if (typeof out.distance === 'number' && !(out.distance > 0)) throw invalidInput('distance', 'must be a positive number of metres');
  if (typeof out.features === 'number' && (!Number.isInteger(out.features) || out.features < 0)) throw invalidInput('features', 'must be a whole number, at least 0');
  if (out.envelope != null) out.envelope = checkedEnvelope(out.envelope);
  return out;
}

function checkedType(type: string | undefined): RecordType {
  if (type === undefined || !(recordTypes as readonly string[]).includes(type)) {
    throw invalidInput('type', `must be one of ${recordTypes.join(', ')}${type === undefined ? '' : `; got "${String(type).slice(0, 40)}"`}`);
  }
  return type as RecordType;
}

function checkedProfile(profile: string | null | undefined): 'manual' | 'csw' | undefined {
  if (profile == null) return undefined;
  if (profile !== 'manual' && profile !== 'csw') throw invalidInput('editionProfile', `must be manual or csw; got "${profile.slice(0, 40)}"`);
  return profile;
}

/** What the data says of each fact a request may send back: an item's record refuses other values. */
function factValues(facts: RecordFacts): Partial<Record<keyof RecordFields, unknown>> {
  return {
    envelope: facts.extent && envelopeOf(facts.extent),
    features: facts.features,
    geometry: facts.geometry,
    format: facts.format,
    encoding: facts.encoding,
    coordinateSystem: facts.crs,
  };
}

/** An extent as the GeoJSON polygon the wire's `envelope` is. */
export function envelopeOf([minx, miny, maxx, maxy]: Bbox): object {
  return { type: 'Polygon', coordinates: [[[minx, miny], [maxx, miny], [maxx, maxy], [minx, maxy], [minx, miny]]] };
}

/** A new record on its own in the workgroup, for its admins and editors. */
export async function createRecord(ctx: DomainContext, actor: Actor, group: Group, input: RecordInput): Promise<RecordView> {
  if (!seesWorkgroup(actor, group)) throw notFound(`Workgroup ${group.uid}`);
  if (actor.kind !== 'user' || !editsWorkgroup(actor, group)) throw forbidden(`Only the admins and editors of workgroup ${group.uid} can add records to it.`);
  const type = checkedType(input.type);
  const fields = dropNulls(checkedFields(input.fields));
  const at = timestamp(ctx);
  const record = await ctx.store.records.create({
    group_id: group.id,
    layer_id: null,
    set_id: null,
    document_id: null,
    type,
    series: input.series ?? false,
    edition_profile: checkedProfile(input.editionProfile) ?? 'manual',
    fields,
    created_by: actor.user.id,
    created_at: at,
    updated_at: at,
  });
  return { record, group, level: 'admin', facts: null };
}

function dropNulls(fields: RecordFields): RecordFields {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null));
}

/**
 * Changes a record's root fields: those sent replace the record's (null clears one). An item's
 * record keeps what its data determines: a fact sent back unchanged (or null) is ignored, a
 * different one refused, naming the field.
 */
export async function updateRecord(ctx: DomainContext, actor: Actor, uid: string, input: RecordInput): Promise<RecordView> {
  const view = await recordView(ctx, actor, uid, 'edit');
  const { record, facts } = view;
  const fields = checkedFields(input.fields);
  if (input.type !== undefined && checkedType(input.type) !== record.type && facts) {
    throw invalidInput('type', `is ${record.type}: the record of ${itemLabel(facts)} keeps its item's type`);
  }
  if (facts) {
    const known = factValues(facts);
    for (const [key, value] of Object.entries(fields) as Array<[keyof RecordFields, unknown]>) {
      if (!Object.hasOwn(known, key)) continue;
      if (value !== null && !isDeepStrictEqual(value, known[key])) {
        throw invalidInput(key, `is determined by the data of ${itemLabel(facts)} and follows each published version; it can't be edited`);
      }
      delete fields[key];
    }
  }
  const merged = Object.fromEntries(Object.entries({ ...record.fields, ...fields }).filter(([, value]) => value !== null)) as RecordFields;
  const updated = await ctx.store.records.update(record.id, {
    fields: merged,
    ...(input.type !== undefined && !facts && { type: checkedType(input.type) }),
    ...(input.series != null && !facts && { series: input.series }),
    ...(checkedProfile(input.editionProfile) && { edition_profile: checkedProfile(input.editionProfile) }),
    updated_at: timestamp(ctx),
  });
  return { ...view, record: updated };
}

/** Deletes a record; an item's record goes with its item, which is deleted as the Data API would. */
export async function deleteRecord(ctx: DomainContext, actor: Actor, uid: string): Promise<void> {
  const { record, facts } = await recordView(ctx, actor, uid, 'edit');
  if (!facts) {
    await ctx.store.records.delete(record.id);
    return removeRecordFiles(ctx, record.uid);
  }
  if (facts.item.kind === 'set') return deleteSet(ctx, actor, facts.item.id);
  if (facts.item.kind === 'document') return deleteDocument(ctx, actor, facts.item.id);
  return deleteLayer(ctx, actor, facts.item.kind, facts.item.id);
}

/** The record's title and abstract: its own when it has them, else its item's. */
export function recordText(view: RecordView): { title: string | null; abstract: string | null } {
  return {
    title: view.record.fields.title ?? view.facts?.title ?? null,
    abstract: view.record.fields.abstract ?? view.facts?.abstract ?? null,
  };
}

/** Sets (or with null clears) the EPSG coordinate system of a record without data; an item's is its data's. */
export async function setRecordCoordinateSystem(ctx: DomainContext, actor: Actor, uid: string, code: number | null): Promise<RecordView> {
  const view = await recordView(ctx, actor, uid, 'edit');
  if (view.facts) throw invalidInput('code', `is determined by the data of ${itemLabel(view.facts)} and follows each published version; it can't be edited`);
  if (code !== null) {
    const entry = epsgCoordinateSystem(code);
    if (entry === null) throw new MapshelfError('service_unavailable', "PROJ's database (proj.db) was not found on the server; the operator should install PROJ's data (Debian: proj-data).");
    if (entry === undefined) throw invalidInput('code', `EPSG:${code} is not a coordinate system PROJ knows; GET /coordinate-systems/ lists them`);
  } else if (view.record.fields.coordinateSystem == null) {
    throw notFound(`A coordinate system of resource ${uid}`);
  }
  const { coordinateSystem: _previous, ...others } = view.record.fields;
  const fields = code === null ? others : { ...others, coordinateSystem: code };
  return { ...view, record: await ctx.store.records.update(view.record.id, { fields, updated_at: timestamp(ctx) }) };
}
