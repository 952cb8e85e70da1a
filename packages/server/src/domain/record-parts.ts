/**
 * What a record holds in lists: events, limitations, links, conditions, conformity and contacts
 * in roles (feature attributes, which an item's data determines, are `record-attributes.ts`).
 * One mechanism for all: each kind says how it checks what it is given and what it is unique
 * by; reading takes `view` on the record, changing takes `edit`.
 */
import type { Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { directiveById } from './directives.js';
import { conflict, invalidInput, notFound } from './errors.js';
import type { Group } from './model/groups.js';
import type { RecordPart, RecordPartKind } from './model/records.js';
import type { Repositories } from './ports/store.js';
import { normalizedDate, recordView, type RecordView } from './records.js';
import { checkedWebLink } from './web-links.js';

export type PartInput = Record<string, unknown>;

/** A kind of part: its checks, and what it is unique by within its record. */
interface PartKind {
  kind: RecordPartKind;
  noun: string;
  /** The checked body; `ref` when the kind is unique by something (a licence, a contact). */
  check(ctx: DomainContext, view: RecordView, input: PartInput, current?: RecordPart): Promise<{ ref: string | null; body: Record<string, unknown> }>;
}

export const eventKinds = ['creation', 'update', 'publication'] as const;
export const contactRoles = ['author', 'pointOfContact', 'custodian', 'distributor', 'originator', 'owner', 'principalInvestigator', 'processor', 'publisher', 'resourceProvider', 'user'] as const;
export const limitationTypes = ['legal', 'security'] as const;
export const legalRestrictions = ['copyright', 'intellectualPropertyRights', 'license', 'other', 'patent', 'patentPending', 'trademark'] as const;

const oneOf = (field: string, values: readonly string[], value: unknown): string => {
  if (typeof value !== 'string' || !values.includes(value)) {
    throw invalidInput(field, `must be one of ${values.join(', ')}${value == null ? '' : `; got ${JSON.stringify(value).slice(0, 40)}`}`);
  }
  return value;
};

const optionalText = (field: string, value: unknown, max = 100_000): string | null => {
  if (value == null || value === '') return null;
  if (typeof value !== 'string') throw invalidInput(field, 'must be text');
  if (value.length > max) throw invalidInput(field, `must be at most ${max} characters`);
  return value;
};

/** A uid the request names, from `{_id}` or the uid itself. */
export const uidIn = (field: string, value: unknown): string => {
  const uid = typeof value === 'object' && value !== null ? (value as { _id?: unknown })._id : value;
  if (typeof uid !== 'string' || !/^[0-9a-f]{32}$/.test(uid)) throw invalidInput(field, 'must name one by its _id: 32 lowercase hexadecimal characters');
  return uid;
};

export const eventPart: PartKind = {
  kind: 'event',
  noun: 'Event',
  async check(ctx, view, input, current) {
    if (typeof input.date !== 'string') throw invalidInput('date', 'is required: the date of the event, such as 2024-05-01');
    const date = normalizedDate('date', input.date);
    const kind = oneOf('kind', eventKinds, input.kind);
    const description = optionalText('description', input.description, 10_000);
    if (kind === 'creation') {
      if (description !== null) throw invalidInput('description', 'a creation event has no description; only updates and publications say what changed');
      const others = await ctx.store.records.parts(view.record.id, 'event');
      if (others.some((e) => e.body.kind === 'creation' && e.id !== current?.id)) throw conflict(`Resource ${view.record.uid} has a creation event already; a record is created once.`);
    }
    return { ref: null, body: { date, description, kind, waitForSync: input.waitForSync === true } };
  },
};

export const limitationPart: PartKind = {
  kind: 'limitation',
  noun: 'Limitation',
  async check(_ctx, _view, input) {
    const type = oneOf('type', limitationTypes, input.type);
    let restriction: string | null = null;
    if (type === 'legal') restriction = oneOf('restriction', legalRestrictions, input.restriction);
    else if (input.restriction != null) throw invalidInput('restriction', 'applies to legal limitations only; a security limitation has none');
    const directive = input.directive == null ? null : uidIn('directive', input.directive);
    if (directive !== null && !directiveById(directive)) throw invalidInput('directive', `no directive has _id ${directive}; GET /directives/ lists them`);
    return { ref: null, body: { type, restriction, description: optionalText('description', input.description), directive } };
  },
};

export const conditionPart: PartKind = {
  kind: 'condition',
  noun: 'Condition',
  async check(ctx, view, input, current) {
    const uid = uidIn('license', input.license);
    const license = await ctx.store.licenses.findByUid(uid);
    if (!license || (license.group_id !== null && license.group_id !== view.record.group_id)) {
      throw invalidInput('license', `no licence of workgroup ${view.group.uid} has _id ${uid}; GET /groups/${view.group.uid}/licenses/ lists them`);
    }
    if (current?.ref !== uid && (await ctx.store.records.findPartByRef(view.record.id, 'condition', uid))) {
      throw conflict(`Resource ${view.record.uid} has a condition with licence ${uid} already; change that one.`);
    }
    return { ref: uid, body: { description: optionalText('description', input.description) } };
  },
};

const textList = (field: string, value: unknown, max = 50): string[] => {
  if (value == null) return [];
  const list = Array.isArray(value) ? value : [value];
  if (list.length > max || list.some((item) => typeof item !== 'string' || item.length > 200)) throw invalidInput(field, `must be a list of at most ${max} texts (MIME types such as image/png)`);
  return list as string[];
};

/** Service layers and operations describe a service: other records have none. */
function assertService(view: RecordView, what: string): void {
  if (view.record.type !== 'service') throw invalidInput('type', `${what} belong to service records; resource ${view.record.uid} is a ${view.record.type}`);
}

export const serviceLayerPart: PartKind = {
  kind: 'service-layer',
  noun: 'Service layer',
  async check(ctx, view, input, current) {
    assertService(view, 'service layers');
    if (typeof input.id !== 'string' || input.id.trim() === '' || input.id.length > 500) throw invalidInput('id', "is required: the layer's name in the service (its WMS Name, its WFS feature type)");
    const name = input.id.trim();
    if (current?.ref !== name && (await ctx.store.records.findPartByRef(view.record.id, 'service-layer', name))) throw conflict(`Service ${view.record.uid} has a layer named ${name} already.`);
    const titles = input.titles == null ? [] : input.titles;
    if (!Array.isArray(titles) || titles.some((t) => typeof t !== 'object' || t === null || typeof (t as { value?: unknown }).value !== 'string')) {
      throw invalidInput('titles', 'must be a list of {lang, value}');
    }
    return {
      ref: name,
      body: {
        id: name,
        title: optionalText('title', input.title, 500),
        titles: (titles as Array<{ lang?: unknown; value: string }>).map((t) => ({ lang: typeof t.lang === 'string' ? t.lang : null, value: t.value.slice(0, 500) })),
        mimeTypes: textList('mimeTypes', input.mimeTypes),
        type: optionalText('type', input.type, 100),
      },
    };
  },
};

export const operationPart: PartKind = {
  kind: 'operation',
  noun: 'Operation',
  async check(_ctx, view, input) {
    assertService(view, 'operations');
    if (typeof input.name !== 'string' || !/^[A-Za-z][\w.-]{0,99}$/.test(input.name)) throw invalidInput('name', 'is required: the operation, such as GetCapabilities or GetMap');
    const verb = input.verb == null ? 'GET' : oneOf('verb', ['GET', 'POST'], input.verb);
    const url = typeof input.url === 'string' ? checkedWebLink('url', input.url) : null;
    if (url === null) throw invalidInput('url', "is required: the operation's absolute http or https URL");
    return {
      ref: null,
      body: { name: input.name, verb, url, mimeTypesIn: textList('mimeTypesIn', input.mimeTypesIn), mimeTypesOut: textList('mimeTypesOut', input.mimeTypesOut) },
    };
  },
};

/** The kinds added by POST and changed by id: events, limitations, conditions, and a service's layers and operations. */
const listedKinds = new Map<string, PartKind>([
  ['event', eventPart],
  ['limitation', limitationPart],
  ['condition', conditionPart],
  ['service-layer', serviceLayerPart],
  ['operation', operationPart],
]);

export function partKind(kind: string): PartKind {
  const spec = listedKinds.get(kind);
  if (!spec) throw new Error(`no part kind ${kind}`);
  return spec;
}

/**
 * How many of the workgroup's records name each of these (contacts in a role, licences in a
 * condition, specifications in a conformity statement): `count` in `_include`, for a caller
 * who sees the workgroup.
 */
export async function recordsNaming(ctx: DomainContext, group: Group, kind: 'contact' | 'condition' | 'conformity', uids: readonly string[]): Promise<Map<string, number>> {
  const counts = await Promise.all(uids.map((uid) => ctx.store.records.countReferring(kind, uid, group.id)));
  return new Map(uids.map((uid, i) => [uid, counts[i]!]));
}

/** The record and its parts of one kind, for a reader. */
export async function listParts(ctx: DomainContext, actor: Actor, recordUid: string, kind: RecordPartKind): Promise<{ view: RecordView; parts: RecordPart[] }> {
  const view = await recordView(ctx, actor, recordUid);
  return { view, parts: await ctx.store.records.parts(view.record.id, kind) };
}

async function partOf(ctx: DomainContext, view: RecordView, spec: { kind: RecordPartKind; noun: string }, uid: string): Promise<RecordPart> {
  const part = await ctx.store.records.findPart(uid);
  if (!part || part.record_id !== view.record.id || part.kind !== spec.kind) throw notFound(`${spec.noun} ${uid} of resource ${view.record.uid}`);
  return part;
}

export async function getPart(ctx: DomainContext, actor: Actor, recordUid: string, kind: string, uid: string): Promise<{ view: RecordView; part: RecordPart }> {
  const view = await recordView(ctx, actor, recordUid);
  return { view, part: await partOf(ctx, view, partKind(kind), uid) };
}

/** Touches the record's `_modified` with the change of one of its parts, in the same transaction. */
async function touched<T>(ctx: DomainContext, view: RecordView, work: (repos: Repositories, at: string) => Promise<T>): Promise<T> {
  const at = timestamp(ctx);
  return ctx.store.transaction(async (repos) => {
    const result = await work(repos, at);
    await repos.records.update(view.record.id, { updated_at: at });
    return result;
  });
}

export async function addPart(ctx: DomainContext, actor: Actor, recordUid: string, kind: string, input: PartInput): Promise<{ view: RecordView; part: RecordPart }> {
  const view = await recordView(ctx, actor, recordUid, 'edit');
  const spec = partKind(kind);
  const { ref, body } = await spec.check(ctx, view, input);
  const part = await touched(ctx, view, (repos, at) => repos.records.addPart({ record_id: view.record.id, kind: spec.kind, ref, body, created_at: at, updated_at: at }));
  return { view, part };
}

export async function updatePart(ctx: DomainContext, actor: Actor, recordUid: string, kind: string, uid: string, input: PartInput): Promise<{ view: RecordView; part: RecordPart }> {
  const view = await recordView(ctx, actor, recordUid, 'edit');
  const spec = partKind(kind);
  const current = await partOf(ctx, view, spec, uid);
  const { ref, body } = await spec.check(ctx, view, { ...current.body, ...input }, current);
  const part = await touched(ctx, view, (repos, at) => repos.records.updatePart(current.id, { ref, body, updated_at: at }));
  return { view, part };
}

export async function deletePart(ctx: DomainContext, actor: Actor, recordUid: string, kind: string, uid: string): Promise<void> {
  const view = await recordView(ctx, actor, recordUid, 'edit');
  const part = await partOf(ctx, view, partKind(kind), uid);
  await touched(ctx, view, (repos) => repos.records.deletePart(part.id));
}

/** The parts named by what they refer to: a contact in a role, conformity to a specification. */
interface RefKind {
  kind: RecordPartKind;
  noun: string;
  /** The thing referred to must be the record's workgroup's. */
  belongs(ctx: DomainContext, view: RecordView, ref: string): Promise<boolean>;
  body(input: PartInput): Record<string, unknown>;
}

export const contactRole: RefKind = {
  kind: 'contact',
  noun: 'Contact',
  async belongs(ctx, view, ref) {
    return (await ctx.store.contacts.findByUid(ref))?.group_id === view.record.group_id;
  },
  body: (input) => ({ role: oneOf('role', contactRoles, input.role) }),
};

export const conformity: RefKind = {
  kind: 'conformity',
  noun: 'Specification',
  async belongs(ctx, view, ref) {
    return (await ctx.store.specifications.findByUid(ref))?.group_id === view.record.group_id;
  },
  body(input) {
    const value = input.conformant;
    if (value !== true && value !== false && value !== 1 && value !== 0) throw invalidInput('conformant', 'must be true or false (1 or 0)');
    return { conformant: value === true || value === 1 };
  },
};

/** Puts (adds or replaces) the part naming `ref`. */
export async function putRefPart(ctx: DomainContext, actor: Actor, recordUid: string, spec: RefKind, ref: string, input: PartInput): Promise<{ view: RecordView; part: RecordPart }> {
  const view = await recordView(ctx, actor, recordUid, 'edit');
  if (!(await spec.belongs(ctx, view, ref))) throw notFound(`${spec.noun} ${ref} in workgroup ${view.group.uid}`);
  const body = spec.body(input);
  const part = await touched(ctx, view, async (repos, at) => {
    const current = await repos.records.findPartByRef(view.record.id, spec.kind, ref);
    if (current) return repos.records.updatePart(current.id, { body, updated_at: at });
    return repos.records.addPart({ record_id: view.record.id, kind: spec.kind, ref, body, created_at: at, updated_at: at });
  });
  return { view, part };
}

export async function deleteRefPart(ctx: DomainContext, actor: Actor, recordUid: string, spec: RefKind, ref: string): Promise<void> {
  const view = await recordView(ctx, actor, recordUid, 'edit');
  const current = await ctx.store.records.findPartByRef(view.record.id, spec.kind, ref);
  if (!current) throw notFound(`${spec.noun} ${ref} on resource ${recordUid}`);
  await touched(ctx, view, (repos) => repos.records.deletePart(current.id));
}
