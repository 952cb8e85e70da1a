import { rm } from 'node:fs/promises';
import type { Datasource, Scan, Source } from './model/sources.js';
import type { Repositories } from './ports/store.js';
import type { Actor } from './actor.js';
import { timestamp, type DomainContext } from './context.js';
import { absolute, dataPaths, StagedMove, type StagedUpload } from './data-paths.js';
import { conflict, notFound } from './errors.js';
import { authorizeItem, resolveOwningGroup, visibilityFor } from './item-access.js';
import type { ListQuery, ListResult } from './list-query.js';

export const scanJobKind = 'scan-source';

export interface CreateSourceInput {
  title: string;
  description?: string;
  group?: number;
  /** Keep the files even if the scan finds nothing readable in them; by default they are removed. */
  keepUnreadable?: boolean;
}

export interface SourceDetail {
  source: Source;
  datasources: Datasource[];
  scans: Scan[];
}

async function queueScan(repos: Repositories, sourceId: number, at: string): Promise<Scan> {
  const scan = await repos.sources.createScan({
    source_id: sourceId,
    status: 'queued',
    progress: 0,
    added: 0,
    updated: 0,
    deleted: 0,
    log: '',
    created_at: at,
  });
  const jobId = await repos.jobs.enqueue({ kind: scanJobKind, payload: { scanId: scan.id }, runAt: at, maxAttempts: 3 }, at);
  await repos.sources.updateScan(scan.id, { job_id: jobId });
  return { ...scan, job_id: jobId };
}

/**
 * Creates an upload source from staged files and queues its first scan. The staged folder is
 * moved into place inside the transaction, so either the row and its files both exist, or
 * neither does.
 */
export async function createSource(
  ctx: DomainContext,
  actor: Actor,
  input: CreateSourceInput,
  staged: StagedUpload,
): Promise<SourceDetail> {
  const files = new StagedMove(staged.dir);
  try {
    return await insertSource(ctx, actor, input, files);
  } catch (error) {
    await files.remove();
    throw error;
  }
}

async function insertSource(ctx: DomainContext, actor: Actor, input: CreateSourceInput, files: StagedMove): Promise<SourceDetail> {
  const groupId = await resolveOwningGroup(ctx, actor, input.group, 'group');
  const at = timestamp(ctx);
  const ownerId = actor.kind === 'user' ? actor.user.id : 0;
  const detail = await ctx.store.transaction(async (repos) => {
    const created = await repos.sources.create({
      type: 'upload',
      title: input.title,
      description: input.description ?? '',
      group_id: groupId,
      owner_id: ownerId,
      folder: '',
      options: input.keepUnreadable ? { keep_unreadable: true } : {},
      created_at: at,
      updated_at: at,
      last_scanned_at: null,
    });
    const folder = dataPaths.sourceFolder(created.id);
    await repos.sources.update(created.id, { folder });
    const scan = await queueScan(repos, created.id, at);
    await files.to(absolute(ctx.dataDir, folder));
    return { source: { ...created, folder }, datasources: [], scans: [scan] };
  });
  ctx.jobs.wake();
  return detail;
}

export async function listSources(ctx: DomainContext, actor: Actor, query: ListQuery): Promise<ListResult<Source>> {
  return ctx.store.sources.list(query, visibilityFor(actor));
}

async function authorizedSource(ctx: DomainContext, actor: Actor, id: number, action: 'view' | 'edit'): Promise<Source> {
  const source = await ctx.store.sources.findById(id);
  await authorizeItem(ctx, actor, source && { kind: 'source', id, group_id: source.group_id }, action, `Source ${id}`);
  return source!;
}

export async function getSource(ctx: DomainContext, actor: Actor, id: number): Promise<SourceDetail> {
  const source = await authorizedSource(ctx, actor, id, 'view');
  return sourceDetail(ctx, source);
}

export async function sourceDetail(ctx: DomainContext, source: Source): Promise<SourceDetail> {
  const all = { offset: 0, limit: 1000, filters: [], sort: [{ field: 'id', descending: true }] };
  return {
    source,
    datasources: await ctx.store.sources.currentDatasources(source.id),
    scans: (await ctx.store.sources.listScans(source.id, all)).items,
  };
}

/** Deletes a source, its datasources and its files, after cancelling any scan in progress. */
export async function deleteSource(ctx: DomainContext, actor: Actor, id: number): Promise<void> {
  const source = await authorizedSource(ctx, actor, id, 'edit');
  for (const scan of await ctx.store.sources.activeScans(id)) if (scan.job_id) await ctx.jobs.cancel(scan.job_id);
  await ctx.store.sources.delete(id);
  await rm(absolute(ctx.dataDir, source.folder), { recursive: true, force: true });
}

export async function startScan(ctx: DomainContext, actor: Actor, sourceId: number): Promise<Scan> {
  await authorizedSource(ctx, actor, sourceId, 'edit');
  if ((await ctx.store.sources.activeScans(sourceId)).length > 0) {
    throw conflict(`Source ${sourceId} is being scanned already; wait for that scan or cancel it.`);
  }
  const scan = await ctx.store.transaction((repos) => queueScan(repos, sourceId, timestamp(ctx)));
  ctx.jobs.wake();
  return scan;
}

export async function listScans(ctx: DomainContext, actor: Actor, sourceId: number, query: ListQuery): Promise<ListResult<Scan>> {
  await authorizedSource(ctx, actor, sourceId, 'view');
  return ctx.store.sources.listScans(sourceId, query);
}

export async function getScan(ctx: DomainContext, actor: Actor, sourceId: number, scanId: number): Promise<Scan> {
  await authorizedSource(ctx, actor, sourceId, 'view');
  const scan = await ctx.store.sources.findScan(sourceId, scanId);
  if (!scan) throw notFound(`Scan ${scanId} of source ${sourceId}`);
  return scan;
}

export async function cancelScan(ctx: DomainContext, actor: Actor, sourceId: number, scanId: number): Promise<Scan> {
  await authorizedSource(ctx, actor, sourceId, 'edit');
  const scan = await getScan(ctx, actor, sourceId, scanId);
  if (scan.status !== 'queued' && scan.status !== 'scanning') throw conflict(`Scan ${scanId} has finished (${scan.status}); there is nothing to cancel.`);
  if (scan.job_id) await ctx.jobs.cancel(scan.job_id);
  return (await ctx.store.sources.findScan(sourceId, scanId))!;
}

export async function listDatasources(ctx: DomainContext, actor: Actor, sourceId: number, query: ListQuery): Promise<ListResult<Datasource>> {
  await authorizedSource(ctx, actor, sourceId, 'view');
  return ctx.store.sources.listDatasources(sourceId, query);
}

export async function getDatasource(ctx: DomainContext, actor: Actor, sourceId: number, id: number): Promise<Datasource> {
  await authorizedSource(ctx, actor, sourceId, 'view');
  const row = await ctx.store.sources.findDatasource(id);
  if (!row || row.source_id !== sourceId || row.removed_at) throw notFound(`Datasource ${id} of source ${sourceId}`);
  return row;
}
