import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { addItemRecord, removeRecordFiles } from './item-records.js';
import type { DocumentItem } from './model/documents.js';
import type { Actor } from './actor.js';
import { indexDocument } from './catalog.js';
import { timestamp, type DomainContext } from './context.js';
import { assertLicenseExists } from './licenses.js';
import { absolute, dataPaths, StagedMove, type StagedUpload } from './data-paths.js';
import { MapshelfError } from './errors.js';
import { authorizeItem, resolveOwningGroup, visibilityFor } from './item-access.js';
import type { ListQuery, ListResult } from './list-query.js';
import type { PermissionLevel } from './policies/items.js';

export interface DocumentInput {
  title?: string;
  description?: string;
  tags?: string[];
  categories?: string[];
  license?: number | null;
}

/** Binary formats recognised by their first bytes. */
const signatures: Array<{ mediaType: string; test: (head: Buffer) => boolean }> = [
  { mediaType: 'application/pdf', test: (h) => h.subarray(0, 5).toString('latin1') === '%PDF-' },
  { mediaType: 'image/png', test: (h) => h.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { mediaType: 'image/jpeg', test: (h) => h[0] === 0xff && h[1] === 0xd8 && h[2] === 0xff },
  { mediaType: 'image/gif', test: (h) => /^GIF8[79]a/.test(h.subarray(0, 6).toString('latin1')) },
  { mediaType: 'image/tiff', test: (h) => ['II*\0', 'MM\0*'].includes(h.subarray(0, 4).toString('latin1')) },
  { mediaType: 'image/webp', test: (h) => h.subarray(0, 4).toString('latin1') === 'RIFF' && h.subarray(8, 12).toString('latin1') === 'WEBP' },
];

const textTypes: Record<string, string> = { '.csv': 'text/csv', '.md': 'text/markdown', '.markdown': 'text/markdown' };

/** Sniffs the media type from the content; the client's claim is not trusted. Text must be UTF-8. */
async function sniffMediaType(path: string, filename: string): Promise<string | null> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const sample = head.subarray(0, bytesRead);
    const binary = signatures.find((s) => s.test(sample));
    if (binary) return binary.mediaType;
    if (sample.includes(0)) return null;
    try {
      // Streaming mode lets a full sample end inside a multi-byte character.
      new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: bytesRead === head.length });
    } catch {
      return null;
    }
    return textTypes[extname(filename).toLowerCase()] ?? 'text/plain';
  } finally {
    await handle.close();
  }
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Creates a document from one staged file: a PDF, an image (PNG, JPEG, GIF, TIFF, WebP) or
 * UTF-8 text. The file moves into place inside the transaction that creates the row, so either
 * both exist or neither does; the staged folder is removed in every case.
 */
export async function createDocument(
  ctx: DomainContext,
  actor: Actor,
  input: DocumentInput & { group?: number },
  staged: StagedUpload,
  file: string,
): Promise<DocumentItem> {
  try {
    const groupId = await resolveOwningGroup(ctx, actor, input.group, 'group');
    await assertLicenseExists(ctx, input.license);
    const path = join(staged.dir, file);
    const filename = basename(file);
    const mediaType = await sniffMediaType(path, filename);
    if (!mediaType) {
      throw new MapshelfError('unsupported_media_type', `"${filename}" is not a PDF, an image (PNG, JPEG, GIF, TIFF, WebP) or UTF-8 text; upload one of those.`);
    }
    const { size } = await stat(path);
    const sha256 = await sha256Of(path);
    const at = timestamp(ctx);
    const moved = new StagedMove(path);
    const row = await ctx.store.transaction(async (repos) => {
      const created = await repos.documents.create({
        group_id: groupId,
        owner_id: actor.kind === 'user' ? actor.user.id : 0,
        title: input.title?.trim() || filename.replace(/\.[^.]*$/, '') || filename,
        description: input.description ?? '',
        tags: input.tags ?? [],
        categories: input.categories ?? [],
        license_id: input.license ?? null,
        file: '',
        filename,
        media_type: mediaType,
        size,
        sha256,
        created_at: at,
        updated_at: at,
      });
      await addItemRecord(repos, 'document', created);
      const stored = join(dataPaths.documentFolder(created.id), 'file');
      await repos.documents.update(created.id, { file: stored });
      await moved.to(absolute(ctx.dataDir, stored), absolute(ctx.dataDir, dataPaths.documentFolder(created.id)));
      return { ...created, file: stored };
    }).catch(async (error: unknown) => {
      // Moved by an attempt that did not commit: nothing records it.
      if (moved.path !== path) await moved.remove();
      throw error;
    });
    await indexDocument(ctx, row.id);
    return row;
  } finally {
    await rm(staged.dir, { recursive: true, force: true });
  }
}

async function authorizedDocument(ctx: DomainContext, actor: Actor, id: number, level: PermissionLevel): Promise<DocumentItem> {
  const document = await ctx.store.documents.findById(id);
  await authorizeItem(ctx, actor, document && { kind: 'document', id, group_id: document.group_id }, level, `Document ${id}`);
  return document!;
}

export async function listDocuments(ctx: DomainContext, actor: Actor, query: ListQuery): Promise<ListResult<DocumentItem>> {
  return ctx.store.documents.list(query, visibilityFor(actor));
}

export function getDocument(ctx: DomainContext, actor: Actor, id: number): Promise<DocumentItem> {
  return authorizedDocument(ctx, actor, id, 'view');
}

/** The document's file, for a download: needs `download` permission. */
export async function documentFile(ctx: DomainContext, actor: Actor, id: number): Promise<{ document: DocumentItem; path: string }> {
  const document = await authorizedDocument(ctx, actor, id, 'download');
  return { document, path: absolute(ctx.dataDir, document.file) };
}

export async function updateDocument(ctx: DomainContext, actor: Actor, id: number, input: DocumentInput): Promise<DocumentItem> {
  await authorizedDocument(ctx, actor, id, 'edit');
  await assertLicenseExists(ctx, input.license);
  await ctx.store.documents.update(id, {
    ...(input.title !== undefined && { title: input.title }),
    ...(input.description !== undefined && { description: input.description }),
    ...(input.tags !== undefined && { tags: input.tags }),
    ...(input.categories !== undefined && { categories: input.categories }),
    ...(input.license !== undefined && { license_id: input.license }),
    updated_at: timestamp(ctx),
  });
  await indexDocument(ctx, id);
  return (await ctx.store.documents.findById(id))!;
}

/** Deletes a document and its file. Sets that held it stop showing it. */
export async function deleteDocument(ctx: DomainContext, actor: Actor, id: number): Promise<void> {
  const document = await authorizedDocument(ctx, actor, id, 'edit');
  await ctx.store.transaction(async (repos) => {
    await repos.documents.delete(id);
    await repos.permissions.clear('document', id);
  });
  await indexDocument(ctx, id);
  await rm(absolute(ctx.dataDir, dataPaths.documentFolder(id)), { recursive: true, force: true });
  await removeRecordFiles(ctx, document.uid);
}
