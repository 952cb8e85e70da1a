import type { FastifyInstance } from 'fastify';
import type { DomainContext } from '../../../domain/context.js';
import { listExports } from '../../../domain/exports.js';
import type { ListSpec } from '../../../domain/list-query.js';
import type { ExportRow } from '../../../store/schema.js';
import { registerListView } from '../../common/list-view.js';
import type { PresentContext } from '../../common/present.js';
import { apiPath } from '../../common/urls.js';

export const exportsListSpec: ListSpec = {
  name: 'exports',
  description: 'Your exports (site admins: everyone\'s), newest first.',
  filters: {
    state: { type: 'enum', values: ['processing', 'complete', 'error', 'cancelled', 'gone'], description: 'Export state' },
    name: { type: 'string', lookups: ['icontains'], description: 'Export name' },
    created_at: { type: 'datetime', lookups: ['gt', 'gte', 'lt', 'lte'], description: 'When the export was created' },
    owner: { type: 'integer', description: 'User id of the owner (useful to site admins)' },
  },
  orderings: ['id', 'name', 'created_at', 'state'],
  defaultOrdering: ['-created_at'],
  expansions: ['list'],
};

export function presentExport(row: ExportRow, ctx: PresentContext) {
  const url = ctx.urlFor(apiPath('exports', row.id));
  return {
    id: row.id,
    name: row.name,
    created_at: row.created_at,
    created_via: row.created_via,
    state: row.state,
    url,
    download_url: row.state === 'complete' ? `${url}download/` : null,
  };
}

/** The exports list. Creating and downloading exports arrive with the exports issue. */
export function registerExportRoutes(app: FastifyInstance, ctx: DomainContext): void {
  registerListView(app, {
    url: apiPath('exports'),
    spec: exportsListSpec,
    scope: 'exports:read',
    tags: ['exports'],
    list: (actor, query) => listExports(ctx, actor, query),
    summary: presentExport,
    full: presentExport,
  });
}
