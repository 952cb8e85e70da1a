import type { DocumentRow } from '../../../store/schema.js';
import { htmlParagraphs } from '../../common/html.js';
import type { PresentContext } from '../../common/present.js';
import { apiPath } from '../../common/urls.js';

export function presentDocumentSummary(row: DocumentRow, ctx: PresentContext) {
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

export function presentDocument(row: DocumentRow, ctx: PresentContext) {
  const url = ctx.urlFor(apiPath('documents', row.id));
  return {
    ...presentDocumentSummary(row, ctx),
    description: row.description,
    description_html: htmlParagraphs(row.description),
    group: { id: row.group_id, url: ctx.urlFor(apiPath('groups', row.group_id)) },
    license: row.license_id === null ? null : { id: row.license_id, url: ctx.urlFor(apiPath('licenses', row.license_id)) },
    categories: JSON.parse(row.categories) as string[],
    tags: JSON.parse(row.tags) as string[],
    filename: row.filename,
    size: row.size,
    checksum: `sha256:${row.sha256}`,
    updated_at: row.updated_at,
    published_at: row.created_at,
    download_url: `${url}download/`,
    permissions: `${url}permissions/`,
  };
}
