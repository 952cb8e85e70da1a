import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { DomainContext } from '../../../domain/context.js';
import { under } from '../../../domain/errors.js';
import {
  cancelExport,
  countExportDownload,
  createExport,
  exportDownload,
  getExport,
  listExports,
  validateExport,
  type ExportItemInput,
  type ExportRequest,
  type ExtentInput,
} from '../../../domain/exports.js';
import { formatChoices } from '../../../geo/export-formats.js';
import { isFullDownload, sendDownload } from '../../shared/file-download.js';
import { registerListView } from '../conventions/list-view.js';
import { localPath } from '../conventions/refs.js';
import { presentContext, sendCreated } from '../conventions/present.js';
import { idInText, idParams } from '../conventions/ids.js';
import type { UrlFor } from '../../shared/public-url.js';
import { apiPath } from '../conventions/urls.js';
import { registerCropLayerRoutes } from './croplayer-routes.js';
import { presentExport, presentExportSummary } from './presenter.js';
import { ExportBody, exportsListSpec } from './schema.js';
import { metadataRoot } from '../../shared/face-roots.js';

const tags = ['exports'];
const read = { scope: 'exports:read' } as const;
const write = { scope: 'exports:write' } as const;

// A URL on another server is refused (400, naming the field), never read as a local one.

/** A layer, table or version URL, as seed 004's `items[].item`. */
function itemInput(entry: ExportBody['items'][number], urlFor: UrlFor, location: string): ExportItemInput {
  const match = /\/(layers|tables)\/(\d+)\/(?:versions\/(\d+)\/?)?$/.exec(localPath(entry.item, location, urlFor).replace(/([^/])$/, '$1/'));
  const type = match?.[1] === 'tables' ? 'table' : 'layer';
  const layerId = idInText(match?.[2]);
  const versionId = idInText(match?.[3]);
  const inRange = layerId !== null && (match?.[3] === undefined || versionId !== null);
  return {
    given: entry.item,
    ref: inRange ? { type, layerId, versionId, layerUrl: urlFor(apiPath(match![1]!, layerId)), metadataUrl: urlFor(metadataRoot) } : null,
    color: entry.color ?? null,
    tile_id: entry.tile_id ?? null,
  };
}

function extentInput(extent: ExportBody['extent'], urlFor: UrlFor): ExtentInput {
  if (extent === undefined || extent === null) return null;
  if (typeof extent === 'string') {
    const match = /\/exports\/croplayers\/(\d+)\/cropfeatures\/(\d+)\/?$/.exec(localPath(extent, 'body.extent', urlFor));
    const cropLayerId = idInText(match?.[1]);
    const featureId = idInText(match?.[2]);
    return { given: extent, cropFeature: cropLayerId !== null && featureId !== null ? { cropLayerId, featureId } : null };
  }
  return { geometry: extent };
}

function exportRequest(body: ExportBody, urlFor: UrlFor): ExportRequest {
  return {
    crs: body.crs ?? null,
    formats: body.formats,
    items: body.items.map((entry, i) => itemInput(entry, urlFor, `body.items[${i}].item`)),
    name: body.name ?? null,
    extent: extentInput(body.extent, urlFor),
    options: body.options ?? {},
  };
}

export function registerExportRoutes(base: FastifyInstance, ctx: DomainContext): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const list = '/exports/';
  const one = `${list}:id/`;

  registerListView(app, {
    url: list,
    spec: exportsListSpec,
    scope: 'exports:read',
    tags,
    list: (actor, query) => listExports(ctx, actor, query),
    summary: presentExportSummary,
    full: presentExport,
    // Koordinates' format discovery, as the Python client's get_formats() reads it.
    describe: () => ({
      actions: {
        POST: {
          formats: {
            type: 'nested object',
            required: true,
            children: Object.fromEntries(Object.entries(formatChoices()).map(([kind, choices]) => [kind, { type: 'choice', required: false, choices }])),
          },
        },
      },
    }),
  });

  app.post(list, { config: write, schema: { summary: 'Create an export; it runs in the background', tags, body: ExportBody } }, async (request, reply) => {
    const row = await createExport(ctx, request.actor, exportRequest(request.body, request.urlFor));
    return sendCreated(reply, presentExport(row, presentContext(request)), 202);
  });

  app.post(
    `${list}validate/`,
    {
      config: { scope: ['exports:read', 'exports:write'] },
      schema: { summary: 'Check an export request without creating it: validity, reasons and estimated size', tags, body: ExportBody },
    },
    async (request) => {
      const result = await validateExport(ctx, request.actor, exportRequest(request.body, request.urlFor));
      return {
        is_valid: result.reasons.length === 0,
        invalid_reasons: result.reasons.map((r) => `${under('body', r.location)}: ${r.message}`),
        size_estimate_zipped: result.sizeEstimate,
        // Not in Koordinates' answer: the name (and so the zip's file name) the export would get.
        name: result.plan?.name ?? null,
        // Not in Koordinates' answer either: what the export would leave out (data outside the
        // CRS's area of use, items left empty when allow_empty is set), as `where: why`; an item
        // carries its own only when it has some, so Koordinates-shaped answers stay as they were.
        warnings: result.warnings.map((w) => `${under('body', w.location)}: ${w.message}`),
        items: result.items.map((item) => ({ item: item.given, is_valid: item.reasons.length === 0, invalid_reasons: item.reasons, ...(item.warnings.length > 0 && { warnings: item.warnings }) })),
      };
    },
  );

  app.get(one, { config: read, schema: { summary: 'Get an export, with its state and progress', tags, params: idParams } }, async (request) =>
    presentExport(await getExport(ctx, request.actor, request.params.id), presentContext(request)),
  );

  app.delete(one, { config: write, schema: { summary: 'Cancel a processing export', tags, params: idParams } }, async (request, reply) => {
    const row = await cancelExport(ctx, request.actor, request.params.id);
    return reply.code(202).send(presentExport(row, presentContext(request)));
  });

  app.get(
    `${one}download/`,
    { config: read, schema: { summary: 'Download the finished zip; supports Range to resume', tags, params: idParams } },
    async (request, reply) => {
      const file = await exportDownload(ctx, request.actor, request.params.id);
      // A resumed download (a Range request) or a revalidation is the same download; count it once.
      if (isFullDownload(request)) await countExportDownload(ctx, request.params.id);
      return sendDownload(request, reply, { ...file, mediaType: 'application/zip' });
    },
  );

  registerCropLayerRoutes(app, ctx);
}
