import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { DomainContext } from '../../../domain/context.js';
import {
  cancelScan,
  createSource,
  deleteSource,
  getDatasource,
  getScan,
  getSource,
  listDatasources,
  listScans,
  listSources,
  sourceDetail,
  startScan,
} from '../../../domain/sources.js';
import { registerListView } from '../conventions/list-view.js';
import { registerPermissionRoutes } from '../permissions/routes.js';
import { presentContext, sendCreated } from '../conventions/present.js';
import { idParams } from '../conventions/ids.js';
import { apiPath } from '../conventions/urls.js';
import { validatePart } from '../../shared/validation.js';
import { presentDatasource, presentScan, presentSource, presentSourceSummary } from './presenter.js';
import { DatasourceParams, ScanParams, SourcePart, datasourcesListSpec, scansListSpec, sourcesListSpec } from './schema.js';
import { receiveUpload, type UploadShape } from '../../shared/multipart-upload.js';

const tags = ['sources'];

const sourceUpload: UploadShape = { jsonPart: 'source', example: '{"title": "Roads"}', maxFiles: 10_000, extractZips: true };

export function registerSourceRoutes(base: FastifyInstance, ctx: DomainContext): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const list = '/sources/';
  const one = `${list}:id/`;
  const scans = `${one}scans/`;
  const scan = `${scans}:scanId/`;
  const datasources = `${one}datasources/`;

  registerListView(app, {
    url: list,
    spec: sourcesListSpec,
    scope: 'sources:read',
    tags,
    list: (actor, query) => listSources(ctx, actor, query),
    summary: presentSourceSummary,
    full: async (source, pc) => presentSource(await sourceDetail(ctx, source), pc),
  });

  app.post(
    list,
    {
      // The domain's input is the `source` part.
      config: { scope: 'sources:write', upload: true, input: 'source' },
      schema: {
        summary: 'Upload a source: multipart with a "source" JSON part and file0..fileN. Starts a scan.',
        description:
          'Zips are extracted (paths, sizes, compression ratios and free disk space checked). A same-named .xml beside a dataset is its metadata. ' +
          'If the scan finds no readable dataset, the files are removed unless the source part says "keep_unreadable": true.',
        tags,
      },
    },
    async (request, reply) => {
      let upload;
      try {
        upload = await receiveUpload(request, ctx.dataDir, sourceUpload, (source) => validatePart(SourcePart, source, 'source'), ctx.settings);
      } catch (error) {
        // The request body may not have been read to its end; don't reuse the connection.
        reply.header('Connection', 'close');
        throw error;
      }
      const input = { ...upload.fields, keepUnreadable: upload.fields.keep_unreadable === true };
      return sendCreated(reply, presentSource(await createSource(ctx, request.actor, input, upload.staged), presentContext(request)));
    },
  );

  app.get(one, { config: { scope: 'sources:read', expansions: ['datasources'] }, schema: { summary: 'Get a source', tags, params: idParams } }, async (request) =>
    presentSource(await getSource(ctx, request.actor, request.params.id), presentContext(request)),
  );

  app.delete(
    one,
    { config: { scope: 'sources:write' }, schema: { summary: 'Delete a source, its datasources and files', tags, params: idParams } },
    async (request, reply) => {
      await deleteSource(ctx, request.actor, request.params.id);
      return reply.code(204).send();
    },
  );

  registerListView(app, {
    url: scans,
    spec: scansListSpec,
    scope: 'sources:read',
    tags,
    params: idParams,
    list: (actor, query, request) => listScans(ctx, actor, (request.params as { id: number }).id, query),
    summary: presentScan,
    full: presentScan,
  });

  app.post(
    scans,
    { config: { scope: 'sources:write' }, schema: { summary: 'Start a scan', tags, params: idParams } },
    async (request, reply) => sendCreated(reply, presentScan(await startScan(ctx, request.actor, request.params.id), presentContext(request)), 202),
  );

  app.get(scan, { config: { scope: 'sources:read' }, schema: { summary: 'Get a scan', tags, params: ScanParams } }, async (request) =>
    presentScan(await getScan(ctx, request.actor, request.params.id, request.params.scanId), presentContext(request)),
  );

  app.delete(
    scan,
    { config: { scope: 'sources:write' }, schema: { summary: 'Cancel a scan', tags, params: ScanParams } },
    async (request, reply) => {
      const cancelled = await cancelScan(ctx, request.actor, request.params.id, request.params.scanId);
      return reply.code(202).send(presentScan(cancelled, presentContext(request)));
    },
  );

  app.get(
    `${scan}log/`,
    { config: { scope: 'sources:read' }, schema: { summary: "A scan's log, as text", tags, params: ScanParams } },
    async (request, reply) => {
      const row = await getScan(ctx, request.actor, request.params.id, request.params.scanId);
      return reply.type('text/plain; charset=utf-8').send(row.log);
    },
  );

  registerPermissionRoutes(app, ctx, {
    itemUrl: one,
    itemPath: (id) => apiPath('sources', id),
    type: 'source',
    scopes: { read: 'sources:read', write: 'sources:write' },
    tags,
  });

  registerListView(app, {
    url: datasources,
    spec: datasourcesListSpec,
    scope: 'sources:read',
    tags,
    params: idParams,
    list: (actor, query, request) => listDatasources(ctx, actor, (request.params as { id: number }).id, query),
    summary: presentDatasource,
    full: presentDatasource,
  });

  app.get(
    `${datasources}:datasourceId/`,
    { config: { scope: 'sources:read' }, schema: { summary: 'Get a datasource', tags, params: DatasourceParams } },
    async (request) =>
      presentDatasource(await getDatasource(ctx, request.actor, request.params.id, request.params.datasourceId), presentContext(request)),
  );
}
