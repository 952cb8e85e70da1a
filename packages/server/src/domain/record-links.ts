/**
 * A record's links: URLs and services (`link`/`url`), and hosted files uploaded to Mapshelf and
 * downloaded through it (`hosted`). What each kind of link allows (`GET /link-kinds/`) is checked.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { absolute, dataPaths, StagedMove, type StagedUpload } from './data-paths.js';
import { label, type Labels } from './directives.js';
import { invalidInput, notFound } from './errors.js';
import type { RecordPart } from './model/records.js';
import { uidIn } from './record-parts.js';
import { recordView, type RecordView } from './records.js';
import { checkedWebLink } from './web-links.js';

export const linkActions = ['download', 'view', 'other'] as const;
export const linkTypes = ['hosted', 'link', 'url'] as const;

interface LinkKind {
  kind: string;
  name: Labels;
  actions: readonly string[];
}

export const linkKinds: readonly LinkKind[] = [
  { kind: 'data', name: { fr: 'Donnée', en: 'Data', es: 'Datos', pt: 'Dados' }, actions: ['download', 'other'] },
  { kind: 'url', name: { fr: 'Lien', en: 'Link', es: 'Enlace', pt: 'Ligação' }, actions: ['download', 'view', 'other'] },
  { kind: 'wfs', name: { fr: 'Service WFS', en: 'WFS service', es: 'Servicio WFS', pt: 'Serviço WFS' }, actions: ['download', 'view', 'other'] },
  { kind: 'wms', name: { fr: 'Service WMS', en: 'WMS service', es: 'Servicio WMS', pt: 'Serviço WMS' }, actions: ['view', 'other'] },
  { kind: 'wmts', name: { fr: 'Service WMTS', en: 'WMTS service', es: 'Servicio WMTS', pt: 'Serviço WMTS' }, actions: ['view', 'other'] },
  { kind: 'esriFeatureService', name: { fr: 'Service d’entités Esri', en: 'Esri feature service', es: 'Servicio de entidades Esri', pt: 'Serviço de elementos Esri' }, actions: ['download', 'view', 'other'] },
  { kind: 'esriMapService', name: { fr: 'Service de carte Esri', en: 'Esri map service', es: 'Servicio de mapas Esri', pt: 'Serviço de mapas Esri' }, actions: ['view', 'other'] },
  { kind: 'esriTileService', name: { fr: 'Service de tuiles Esri', en: 'Esri tile service', es: 'Servicio de teselas Esri', pt: 'Serviço de mosaicos Esri' }, actions: ['view', 'other'] },
];

const kindByName = new Map(linkKinds.map((kind) => [kind.kind, kind]));

/** The link kinds in one language. */
export function listLinkKinds(lang: string | undefined): Array<{ kind: string; name: string; actions: string[] }> {
  return linkKinds.map((kind) => ({ kind: kind.kind, name: label(kind.name, lang), actions: [...kind.actions] }));
}

/** A hosted file as it is kept: where (under the data folder), its digest and its type. */
export interface HostedFile {
  path: string;
  sha256: string;
  mediaType: string;
}

export type LinkInput = Record<string, unknown>;

function checkedActions(kind: LinkKind, value: unknown): string[] {
  const actions = value == null ? [] : Array.isArray(value) ? value : [value];
  for (const [i, action] of actions.entries()) {
    if (typeof action !== 'string' || !(linkActions as readonly string[]).includes(action)) throw invalidInput(`actions[${i}]`, `must be one of ${linkActions.join(', ')}`);
    if (!kind.actions.includes(action)) throw invalidInput(`actions[${i}]`, `a ${kind.kind} link allows ${kind.actions.join(', ')}; GET /link-kinds/ lists what each kind allows`);
  }
  return [...new Set(actions as string[])];
}

function checkedTitle(value: unknown, fallback?: string): string {
  const title = typeof value === 'string' && value.trim() !== '' ? value.trim() : fallback;
  if (title === undefined) throw invalidInput('title', 'is required: what the link is, as users will see it');
  if (title.length > 500) throw invalidInput('title', 'must be at most 500 characters');
  return title;
}

/** The checked body of a URL or service link. */
async function linkBody(ctx: DomainContext, view: RecordView, input: LinkInput, current?: RecordPart): Promise<Record<string, unknown>> {
  const type = input.type ?? 'url';
  if (current?.body.type === 'hosted') {
    if (type !== 'hosted') throw invalidInput('type', 'a hosted link stays hosted: delete it, and add a link');
    return hostedChange(current, input);
  }
  if (type === 'hosted') throw invalidInput('type', 'a hosted link is made by uploading its file: POST it as multipart/form-data with a "file" part');
  if (type !== 'link' && type !== 'url') throw invalidInput('type', `must be one of ${linkTypes.join(', ')}`);
  const kind = kindByName.get(typeof input.kind === 'string' ? input.kind : 'url');
  if (!kind) throw invalidInput('kind', `must be one of ${linkKinds.map((k) => k.kind).join(', ')}`);
  if (kind.kind === 'data') throw invalidInput('kind', 'data links are hosted files: upload the file as multipart/form-data');
  const url = typeof input.url === 'string' ? checkedWebLink('url', input.url) : null;
  if (url === null) throw invalidInput('url', 'is required: the absolute http or https URL the link leads to');
  const link = input.link == null ? null : uidIn('link', input.link);
  if (link !== null) {
    const other = await ctx.store.records.findPart(link);
    if (!other || other.record_id !== view.record.id || other.kind !== 'link') throw invalidInput('link', `no link of resource ${view.record.uid} has _id ${link}`);
  }
  return { type, kind: kind.kind, title: checkedTitle(input.title), url, actions: checkedActions(kind, input.actions), link };
}

/** A hosted link keeps its file, kind and size; its title and actions change. */
function hostedChange(current: RecordPart, input: LinkInput): Record<string, unknown> {
  return {
    ...current.body,
    title: checkedTitle(input.title, current.body.title as string),
    actions: input.actions === undefined ? current.body.actions : checkedActions(kindByName.get('data')!, input.actions),
  };
}

export async function listLinks(ctx: DomainContext, actor: Actor, recordUid: string): Promise<{ view: RecordView; parts: RecordPart[] }> {
  const view = await recordView(ctx, actor, recordUid);
  return { view, parts: await ctx.store.records.parts(view.record.id, 'link') };
}

async function linkOf(ctx: DomainContext, view: RecordView, uid: string): Promise<RecordPart> {
  const part = await ctx.store.records.findPart(uid);
  if (!part || part.record_id !== view.record.id || part.kind !== 'link') throw notFound(`Link ${uid} of resource ${view.record.uid}`);
  return part;
}

export async function getLink(ctx: DomainContext, actor: Actor, recordUid: string, uid: string): Promise<{ view: RecordView; part: RecordPart }> {
  const view = await recordView(ctx, actor, recordUid);
  return { view, part: await linkOf(ctx, view, uid) };
}

export async function createLink(ctx: DomainContext, actor: Actor, recordUid: string, input: LinkInput): Promise<{ view: RecordView; part: RecordPart }> {
  const view = await recordView(ctx, actor, recordUid, 'edit');
  const body = await linkBody(ctx, view, input);
  const at = timestamp(ctx);
  const part = await ctx.store.transaction(async (repos) => {
    const added = await repos.records.addPart({ record_id: view.record.id, kind: 'link', ref: null, body, created_at: at, updated_at: at });
    await repos.records.update(view.record.id, { updated_at: at });
    return added;
  });
  return { view, part };
}

export async function updateLink(ctx: DomainContext, actor: Actor, recordUid: string, uid: string, input: LinkInput): Promise<{ view: RecordView; part: RecordPart }> {
  const view = await recordView(ctx, actor, recordUid, 'edit');
  const current = await linkOf(ctx, view, uid);
  const body = await linkBody(ctx, view, { ...current.body, ...input }, current);
  const at = timestamp(ctx);
  const part = await ctx.store.transaction(async (repos) => {
    const changed = await repos.records.updatePart(current.id, { body, updated_at: at });
    await repos.records.update(view.record.id, { updated_at: at });
    return changed;
  });
  return { view, part };
}

export async function deleteLink(ctx: DomainContext, actor: Actor, recordUid: string, uid: string): Promise<void> {
  const view = await recordView(ctx, actor, recordUid, 'edit');
  const current = await linkOf(ctx, view, uid);
  await ctx.store.transaction(async (repos) => {
    await repos.records.deletePart(current.id);
    await repos.records.update(view.record.id, { updated_at: timestamp(ctx) });
  });
  const file = current.body.file as HostedFile | undefined;
  if (file) await rm(absolute(ctx.dataDir, file.path), { force: true });
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Types by extension, for the download's Content-Type only: the file is always sent as an attachment, never sniffed. */
const mediaTypes = new Map([
  ['pdf', 'application/pdf'],
  ['zip', 'application/zip'],
  ['png', 'image/png'],
  ['jpg', 'image/jpeg'],
  ['jpeg', 'image/jpeg'],
  ['txt', 'text/plain'],
  ['csv', 'text/csv'],
  ['json', 'application/json'],
  ['xml', 'application/xml'],
]);

/**
 * A hosted link from one uploaded file (the upload keeps to `hostedFileLimit`). The file moves into
 * place inside the transaction that adds the link, so either both exist or neither does; the
 * staged folder is removed in every case.
 */
export async function addHostedLink(ctx: DomainContext, actor: Actor, recordUid: string, input: LinkInput, staged: StagedUpload, file: string): Promise<{ view: RecordView; part: RecordPart }> {
  try {
    const view = await recordView(ctx, actor, recordUid, 'edit');
    const path = `${staged.dir}/${file}`;
    const fileName = basename(file);
    const { size } = await stat(path);
    const uid = randomBytes(16).toString('hex');
    const stored: HostedFile = {
      path: dataPaths.hostedFile(view.record.uid, uid),
      sha256: await sha256Of(path),
      mediaType: mediaTypes.get(fileName.slice(fileName.lastIndexOf('.') + 1).toLowerCase()) ?? 'application/octet-stream',
    };
    const body = {
      type: 'hosted',
      kind: 'data',
      title: checkedTitle(input.title, fileName),
      actions: checkedActions(kindByName.get('data')!, input.actions ?? ['download']),
      fileName,
      size,
      url: `/resources/${view.record.uid}/links/${uid}.bin`,
      file: stored,
    };
    const at = timestamp(ctx);
    const moved = new StagedMove(path);
    const part = await ctx.store
      .transaction(async (repos) => {
        const added = await repos.records.addPart({ uid, record_id: view.record.id, kind: 'link', ref: null, body, created_at: at, updated_at: at });
        await repos.records.update(view.record.id, { updated_at: at });
        await moved.to(absolute(ctx.dataDir, stored.path));
        return added;
      })
      .catch(async (error: unknown) => {
        // Moved by an attempt that did not commit: nothing records it.
        if (moved.path !== path) await moved.remove();
        throw error;
      });
    return { view, part };
  } finally {
    await rm(staged.dir, { recursive: true, force: true });
  }
}

/** A hosted link's file, for whoever reads the record. */
export async function hostedFile(ctx: DomainContext, actor: Actor, recordUid: string, uid: string): Promise<{ part: RecordPart; file: HostedFile; path: string }> {
  const { part } = await getLink(ctx, actor, recordUid, uid);
  const file = part.body.file as HostedFile | undefined;
  if (!file) throw notFound(`A hosted file of link ${uid}: it is a ${String(part.body.type)} link`);
  return { part, file, path: absolute(ctx.dataDir, file.path) };
}
