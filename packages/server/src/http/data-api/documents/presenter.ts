import type { DocumentItem } from '../../../domain/model/documents.js';
import { presentDescription } from '../conventions/item-fields.js';
import type { PresentContext } from '../conventions/present.js';
import { apiPath } from '../conventions/urls.js';

export function presentDocumentSummary(row: DocumentItem, ctx: PresentContext) {
  return {
    id: row.id,
    url: ctx.urlFor(apiPath('documents', row.id)),
    type: 'document' as const,
    title: row.title,
    name: row.title,
    media_type: row.media_type,
    created_at: row.created_at,
  };
}

export function presentDocument(row: DocumentItem, ctx: PresentContext) {
  const url = ctx.urlFor(apiPath('documents', row.id));
  return {
    ...presentDocumentSummary(row, ctx),
    ...presentDescription(row, ctx),
    filename: row.filename,
    size: row.size,
    checksum: `sha256:${row.sha256}`,
    updated_at: row.updated_at,
    published_at: row.created_at,
    download_url: `${url}download/`,
    permissions: `${url}permissions/`,
  };
}
