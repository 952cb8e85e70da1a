/**
 * An ISO 19139 (or 19115-3) document into a record: a new record in a workgroup
 * (`POST /groups/{wg}/resources/` with an XML body), or the record of a layer, table or set
 * whose draft got the document in the Data API. Its parties become the workgroup's contacts in
 * their roles (reused when the workgroup has them), its licences and specifications the
 * workgroup's (the same), and its constraints, conformity, dates and links the record's parts.
 * The data's facts stay the data's: an item's record takes the document's descriptions only.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { directives } from './directives.js';
import { forbidden, invalidInput, notFound } from './errors.js';
import { licenseSlug } from './licenses.js';
import { readUploadedMetadata, type IsoContent, type IsoParty, type SchemaWarning } from './metadata/index.js';
import type { Group } from './model/groups.js';
import type { RecordFields, RecordType, ResourceRecord } from './model/records.js';
import type { Repositories } from './ports/store.js';
import { contactRoles, legalRestrictions } from './record-parts.js';
import { envelopeOf, normalizedDate, recordView, type RecordView } from './records.js';
import { editsWorkgroup, seesWorkgroup } from './workgroups.js';
import { epsgCoordinateSystem } from '../geo/coordinate-systems.js';

const languages = new Map([
  ['fre', 'fr'], ['fra', 'fr'], ['eng', 'en'], ['spa', 'es'], ['por', 'pt'], ['ger', 'de'], ['deu', 'de'], ['ita', 'it'], ['dut', 'nl'], ['nld', 'nl'], ['mao', 'mi'], ['mri', 'mi'], ['cat', 'ca'],
]);
const frequencies = new Map([['daily', 'P1D'], ['weekly', 'P1W'], ['fortnightly', 'P2W'], ['monthly', 'P1M'], ['quarterly', 'P3M'], ['biannually', 'P6M'], ['annually', 'P1Y']]);
const restrictions = new Map([['otherRestrictions', 'other'], ...legalRestrictions.map((r) => [r, r] as [string, string])]);
const eventKinds = new Map([['creation', 'creation'], ['revision', 'update'], ['publication', 'publication']]);

/** `(url)` written after a name, as Mapshelf writes licences and specifications: the name and the URL apart. */
function nameAndLink(text: string): { name: string; link: string | null } {
  const match = /^(.*\S)\s+\((https?:\/\/[^\s)]+)\)$/.exec(text.trim());
  return match ? { name: match[1]!, link: match[2]! } : { name: text.trim(), link: null };
}

/** The calendar date a value starts with (2024-02-30 is none). */
const dateOnly = (value: string): string | null => {
  const match = /^(\d{4}-\d{2}-\d{2})/.exec(value.trim());
  const time = match ? Date.parse(`${match[1]}T00:00:00Z`) : Number.NaN;
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === match![1] ? match![1]! : null;
};

/** A JSON string literal as Mapshelf writes names, or null when it isn't one. */
function quoted(text: string): string | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}

/** An event's date as the record keeps it: a date, or a date and time in UTC; null if it is neither. */
function eventDate(value: string): string | null {
  try {
    return normalizedDate('date', value.trim());
  } catch {
    return null;
  }
}

/** What Mapshelf writes in the supplemental information, line by line (`Geometry type: …`, `Field "name" alias: …`), read back. */
interface Supplement {
  geometry: string | null;
  features: number | null;
  fields: Array<{ name: string; type: string }>;
  notes: Map<string, { alias?: string; description?: string }>;
  geoContext: string | null;
  validity: string | null;
  serviceLayers: Array<{ name: string; title: string | null }>;
  operations: Array<{ name: string; verb: string; url: string }>;
}

function supplementOf(text: string | null): Supplement {
  const out: Supplement = { geometry: null, features: null, fields: [], notes: new Map(), geoContext: null, validity: null, serviceLayers: [], operations: [] };
  for (const line of text?.split('\n') ?? []) {
    const [label, value = ''] = [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)];
    if (label === 'Geometry type') out.geometry = value;
    else if (label === 'Feature count' || label === 'Row count') out.features = /^\d+$/.test(value) ? Number(value) : null;
    else if (label === 'Fields') {
      // One `name (type)` per comma, each matched on its own so the line is read in one pass.
      out.fields = value.split(', ').flatMap((piece) => {
        const match = /^(.+) \(([^()]*)\)$/.exec(piece);
        return match ? [{ name: match[1]!, type: match[2]! }] : [];
      });
    }
    else if (label === 'Geographic context') out.geoContext = value;
    else if (label === 'Validity') out.validity = value;
    const layer = /^Service layer ("(?:[^"\\]|\\.)*"): (.*)$/.exec(line);
    const layerName = layer && quoted(layer[1]!);
    if (layerName) out.serviceLayers.push({ name: layerName, title: layer![2] || null });
    const operation = /^Operation ([A-Za-z][\w.-]*) (GET|POST) (https?:\/\/\S+)$/.exec(line);
    if (operation) out.operations.push({ name: operation[1]!, verb: operation[2]!, url: operation[3]! });
    const note = /^Field ("(?:[^"\\]|\\.)*") (alias|description): (.*)$/.exec(line);
    const noted = note && quoted(note[1]!);
    if (noted) out.notes.set(noted, { ...out.notes.get(noted), [note![2]!]: note![3]! });
  }
  return out;
}

/** The record type a document describes, from its scope and its spatial representation. */
function typeOf(iso: IsoContent): { type: RecordType; series: boolean } {
  if (iso.scope === 'series') return { type: 'dataset', series: true };
  if (iso.scope === 'service') return { type: 'service', series: false };
  if (iso.scope === 'nonGeographicDataset') return { type: iso.spatialType === 'textTable' ? 'noGeoDataset' : 'resource', series: false };
  if (iso.spatialType === 'grid') return { type: 'rasterDataset', series: false };
  if (iso.spatialType === 'textTable') return { type: 'noGeoDataset', series: false };
  return { type: 'vectorDataset', series: false };
}

/** The root fields the document gives; `facts` too for a record without data. */
function fieldsOf(iso: IsoContent, withFacts: boolean): RecordFields {
  const fields: RecordFields = {};
  const set = <K extends keyof RecordFields>(key: K, value: RecordFields[K] | null | undefined) => {
    if (value !== null && value !== undefined && value !== '') fields[key] = value;
  };
  const supplement = supplementOf(iso.supplemental);
  set('geoContext', supplement.geoContext?.slice(0, 10_000));
  set('validityComment', supplement.validity?.slice(0, 100_000));
  if (withFacts) {
    set('geometry', supplement.geometry?.slice(0, 100));
    set('features', supplement.features ?? iso.geometricObjects.count);
    set('title', iso.title?.slice(0, 500));
    set('abstract', iso.abstract?.slice(0, 100_000));
    if (iso.extent && iso.extent.every((v, i) => Math.abs(v) <= (i % 2 === 0 ? 180 : 90))) set('envelope', envelopeOf(iso.extent));
    set('format', iso.format?.name.slice(0, 100));
    set('formatVersion', iso.format?.version && iso.format.version !== 'unknown' ? iso.format.version.slice(0, 100) : null);
    const code = iso.crs ? /(?:^|EPSG:+|\/)(\d{4,6})$/i.exec(iso.crs.trim())?.[1] : undefined;
    if (code && epsgCoordinateSystem(Number(code))) set('coordinateSystem', Number(code));
  }
  set('language', iso.language ? (languages.get(iso.language) ?? (/^[a-z]{2}$/.test(iso.language) ? iso.language : null)) : null);
  const duration = iso.frequency.duration && /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/.test(iso.frequency.duration) ? iso.frequency.duration : null;
  set('updateFrequency', duration ?? (iso.frequency.code ? frequencies.get(iso.frequency.code) : null));
  set('validFrom', iso.validFrom ? dateOnly(iso.validFrom) : null);
  set('validTo', iso.validTo ? dateOnly(iso.validTo) : null);
  set('scale', iso.scale);
  set('distance', iso.distance);
  set('collectionContext', iso.purpose?.slice(0, 100_000));
  // Mapshelf writes the collection method, then the topology, as lines of the lineage.
  const lineage = iso.lineage?.split('\n') ?? [];
  const topology = lineage.findIndex((line) => line.startsWith('Topological consistency: '));
  if (topology >= 0) set('topologicalConsistency', lineage.splice(topology, 1)[0]!.slice('Topological consistency: '.length));
  set('collectionMethod', lineage.join('\n').slice(0, 100_000) || null);
  return fields;
}

/** The workgroup's contact for a party: one with the same email (or name and organisation), else a new one. */
async function contactFor(repos: Repositories, group: Group, party: IsoParty, at: string): Promise<string | null> {
  if (!party.individual && !party.organisation && !party.email) return null;
  const existing = (await repos.contacts.listForGroup(group.id)).find((c) =>
    party.email ? c.email?.toLowerCase() === party.email.toLowerCase() : c.name === party.individual && c.organization === party.organisation,
  );
  if (existing) return existing.uid;
  const clip = (value: string | null | undefined) => (value ? value.slice(0, 500) : null);
  const country = party.country && /^[A-Za-z]{2}$/.test(party.country) ? party.country.toUpperCase() : null;
  const created = await repos.contacts.create({
    group_id: group.id,
    name: clip(party.individual),
    organization: clip(party.organisation),
    email: party.email && /^[^\s@]+@[^\s@]+$/.test(party.email) ? clip(party.email) : null,
    phone: clip(party.phone),
    fax: clip(party.fax),
    address_line1: clip(party.addressLines[0]),
    address_line2: clip(party.addressLines[1]),
    address_line3: clip(party.addressLines[2]),
    city: clip(party.city),
    zip_code: clip(party.postalCode),
    country_code: country,
    created_at: at,
    updated_at: at,
  });
  return created.uid;
}

async function licenseFor(repos: Repositories, group: Group, text: string, at: string): Promise<string> {
  const { name, link } = nameAndLink(text);
  const title = name.slice(0, 500);
  // The workgroup's own are unique by slug: one with the slug this title would take is the same licence.
  const slug = licenseSlug(title) || 'licence';
  const found = (await repos.licenses.listForGroup(group.id)).find((l) => l.title.toLowerCase() === name.toLowerCase() || (l.group_id === group.id && l.slug === slug));
  if (found) return found.uid;
  const created = await repos.licenses.create({ slug, jurisdiction: group.uid, title, type: 'custom', version: '', url: link, text: '', is_custom: true, group_id: group.id, created_at: at });
  return created.uid;
}

async function specificationFor(repos: Repositories, group: Group, text: string, date: string | null, at: string): Promise<string> {
  const { name, link } = nameAndLink(text);
  const found = (await repos.specifications.listForGroup(group.id)).find((s) => s.name.toLowerCase() === name.toLowerCase());
  if (found) return found.uid;
  const day = date ? dateOnly(date) : null;
  const created = await repos.specifications.create({ group_id: group.id, name: name.slice(0, 500), link, published: day ? `${day}T00:00:00` : null, created_at: at, updated_at: at });
  return created.uid;
}

const linkKinds: Record<string, string> = { 'OGC:WMS': 'wms', 'OGC:WFS': 'wfs', 'OGC:WMTS': 'wmts', 'ESRI:REST': 'esriMapService' };

/** Adds what the document says to the record: its parts, and the workgroup's contacts, licences and specifications they name. */
async function addParts(repos: Repositories, record: ResourceRecord, group: Group, iso: IsoContent, at: string, isRecordUrl: (url: string) => boolean): Promise<void> {
  const existing = await repos.records.parts(record.id);
  // The same document uploaded again adds nothing it added before.
  const add = async (kind: Parameters<Repositories['records']['addPart']>[0]['kind'], ref: string | null, body: Record<string, unknown>) => {
    if (existing.some((part) => part.kind === kind && part.ref === ref && isDeepStrictEqual(part.body, body))) return;
    existing.push(await repos.records.addPart({ record_id: record.id, kind, ref, body, created_at: at, updated_at: at }));
  };
  // What the record names already (a contact, a licence, a specification), kept as parts are added.
  const named = new Set(existing.map((part) => `${part.kind}:${part.ref}`));
  const addOnce = async (kind: 'contact' | 'condition' | 'conformity', ref: string, body: Record<string, unknown>) => {
    if (named.has(`${kind}:${ref}`)) return;
    named.add(`${kind}:${ref}`);
    await add(kind, ref, body);
  };

  for (const party of iso.parties) {
    const uid = await contactFor(repos, group, party, at);
    const role = party.role && (contactRoles as readonly string[]).includes(party.role) ? party.role : 'pointOfContact';
    if (uid) await addOnce('contact', uid, { role });
  }
  for (const legal of iso.legal) {
    if (legal.restrictions.includes('license') && legal.others.length > 0) {
      const uid = await licenseFor(repos, group, legal.others[0]!, at);
      const description = legal.useLimitations.find((text) => text !== nameAndLink(legal.others[0]!).name) ?? null;
      await addOnce('condition', uid, { description });
      continue;
    }
    const directive = directives.find((d) => legal.others.some((other) => other.startsWith(d.name.en) || other === d.name.fr));
    const other = legal.others.filter((text) => !directive || !text.startsWith(directive.name.en)).join('\n');
    await add('limitation', null, {
      type: 'legal',
      restriction: legal.restrictions.map((r) => restrictions.get(r)).find((r) => r !== undefined) ?? 'other',
      description: [...legal.useLimitations, ...(other ? [other] : [])].join('\n') || null,
      directive: directive?._id ?? null,
    });
  }
  for (const security of iso.security) {
    await add('limitation', null, { type: 'security', restriction: null, description: [...security.useLimitations, ...(security.note ? [security.note] : [])].join('\n') || null, directive: null });
  }
  for (const conformity of iso.conformity) {
    const uid = await specificationFor(repos, group, conformity.title, conformity.date, at);
    await addOnce('conformity', uid, { conformant: conformity.pass === true });
  }
  let created = existing.some((part) => part.kind === 'event' && part.body.kind === 'creation');
  // A process step says what changed on a date: the description of that date's update (or publication).
  const steps = iso.steps.map((step) => ({ ...step, day: step.date ? dateOnly(step.date) : null, used: false }));
  for (const { date, type } of iso.dates) {
    const kind = eventKinds.get(type);
    const when = eventDate(date);
    if (!kind || !when || (kind === 'creation' && created)) continue;
    created ||= kind === 'creation';
    const step = kind === 'creation' ? undefined : steps.find((s) => !s.used && s.day === when.slice(0, 10));
    if (step) step.used = true;
    await add('event', null, { date: when, description: step?.description.slice(0, 10_000) ?? null, kind, waitForSync: false });
  }
  for (const step of steps) {
    const when = step.used || !step.date ? null : eventDate(step.date);
    if (when) await add('event', null, { date: when, description: step.description.slice(0, 10_000), kind: 'update', waitForSync: false });
  }
  // A record without data lists the attributes the document names; an item's are its data's, with the document's descriptions.
  const supplement = supplementOf(iso.supplemental);
  const fields = record.layer_id === null && record.set_id === null && record.document_id === null ? supplement.fields : [];
  for (const field of fields) {
    if (named.has(`feature-attribute:${field.name}`) || field.name.length > 500) continue;
    named.add(`feature-attribute:${field.name}`);
    await add('feature-attribute', field.name, { dataType: field.type.slice(0, 100), ...supplement.notes.get(field.name) });
  }
  if (record.type === 'service') {
    for (const layer of supplement.serviceLayers) {
      if (named.has(`service-layer:${layer.name}`) || layer.name.length > 500) continue;
      named.add(`service-layer:${layer.name}`);
      await add('service-layer', layer.name, { id: layer.name, title: layer.title?.slice(0, 500) ?? null, titles: [], mimeTypes: [], type: null });
    }
    for (const operation of supplement.operations) {
      if (operation.url.length <= 2000) await add('operation', null, { ...operation, mimeTypesIn: [], mimeTypesOut: [] });
    }
  }
  if (fields.length === 0) {
    for (const [name, note] of supplement.notes) {
      const stored = existing.find((part) => part.kind === 'feature-attribute' && part.ref === name);
      if (stored) await repos.records.updatePart(stored.id, { body: { ...stored.body, ...note }, updated_at: at });
      else if (record.layer_id !== null) await add('feature-attribute', name, note);
    }
  }
  for (const link of iso.links) {
    // A link to a record of this server (the one the document was written from) is not a link of the record.
    if (!/^https?:\/\//i.test(link.url) || isRecordUrl(link.url) || link.url.length > 2000) continue;
    const kind = (link.protocol && linkKinds[link.protocol]) ?? 'url';
    const actions = link.fn === 'download' && kind !== 'wms' && kind !== 'wmts' && kind !== 'esriMapService' ? ['download'] : ['view'];
    await add('link', null, { type: 'url', kind, title: (link.name ?? link.url).slice(0, 500), url: link.url, actions, link: null });
  }
}

/** A new record in the workgroup from an ISO document; schema problems come back as warnings, as in the Data API. */
export async function importIsoRecord(
  ctx: DomainContext,
  actor: Actor,
  group: Group,
  xml: string,
  isRecordUrl: (url: string) => boolean,
): Promise<{ view: RecordView; warnings: SchemaWarning[] }> {
  if (!seesWorkgroup(actor, group)) throw notFound(`Workgroup ${group.uid}`);
  if (actor.kind !== 'user' || !editsWorkgroup(actor, group)) throw forbidden(`Only the admins and editors of workgroup ${group.uid} can add records to it.`);
  const { format, warnings, iso } = await readUploadedMetadata(xml);
  if (format !== 'iso' || !iso) {
    throw invalidInput('body', `is ${format === 'fgdc' ? 'FGDC CSDGM' : 'Dublin Core'}; a record is made from ISO 19139 or ISO 19115-3`);
  }
  const at = timestamp(ctx);
  const { type, series } = typeOf(iso);
  const record = await ctx.store.transaction(async (repos) => {
    const made = await repos.records.create({
      group_id: group.id,
      layer_id: null,
      set_id: null,
      document_id: null,
      type,
      series,
      edition_profile: 'manual',
      fields: fieldsOf(iso, true),
      created_by: actor.user.id,
      created_at: at,
      updated_at: at,
    });
    await addParts(repos, made, group, iso, at, isRecordUrl);
    return made;
  });
  return { view: await recordView(ctx, actor, record.uid), warnings };
}

/**
 * What a document uploaded to an item's draft in the Data API says, added to the item's record
 * in the same transaction: its descriptions and parts (the data keeps its facts).
 */
export async function fillItemRecord(repos: Repositories, item: { kind: 'layer' | 'set'; id: number }, iso: IsoContent, at: string): Promise<void> {
  const record = await repos.records.findForItem(item.kind, item.id);
  const group = record && (await repos.groups.findById(record.group_id));
  if (!record || !group) return;
  await repos.records.update(record.id, { fields: { ...record.fields, ...fieldsOf(iso, false) }, updated_at: at });
  await addParts(repos, record, group, iso, at, () => false);
}
