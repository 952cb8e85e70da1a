import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { countUse } from '../../../domain/catalog.js';
import type { DomainContext } from '../../../domain/context.js';
import { invalidParameter } from '../../../domain/errors.js';
import { getMetadata, putMetadata } from '../../../domain/layer-metadata.js';
import type { MetadataForm } from '../../../domain/metadata/index.js';
import {
  createDraft,
  createLayer,
  deleteLayer,
  deleteVersion,
  getLayer,
  getVersion,
  importVersion,
  listLayers,
  listVersions,
  publishLayerVersion,
  updateVersion,
  type LayerDataInput,
  type VersionRef,
} from '../../../domain/layers.js';
import type { LayerType } from '../../../domain/model/layers.js';
import { registerListView } from '../conventions/list-view.js';
import { registerPermissionRoutes } from '../permissions/routes.js';
import { presentContext, sendCreated } from '../conventions/present.js';
import { idParams } from '../conventions/ids.js';
import { idFromRef } from '../conventions/refs.js';
import type { UrlFor } from '../../shared/public-url.js';
import { apiPath } from '../conventions/urls.js';
import { presentPublish } from '../publish/presenter.js';
import { collectionOf, presentLayer, presentLayerSummary } from './presenter.js';
import { LayerCreateBody, VersionParams, VersionUpdateBody, layersListSpec, layerVersionsListSpec } from './schema.js';
import { metadataRoot } from '../../shared/face-roots.js';

type DataBody = NonNullable<LayerCreateBody['data']>;

function dataInput(data: DataBody, urlFor: UrlFor): LayerDataInput {
  return {
    datasources: data.datasources.map((ref, i) => idFromRef(ref, 'datasources', `body.data.datasources[${i}]`, urlFor)),
    ...(data.crs !== undefined && { crs: data.crs }),
    ...(data.primary_key_fields !== undefined && { primary_key_fields: data.primary_key_fields }),
  };
}

function licenseInput(license: LayerCreateBody['license'], urlFor: UrlFor): number | null | undefined {
  return license === undefined || license === null ? license : idFromRef(license, 'licenses', 'body.license', urlFor);
}

/**
 * Layers (`/layers/`) and tables (`/tables/`): the same routes. As in Koordinates' Layers &
 * Tables API, `/layers/` reaches layers and tables alike (a table datasource POSTed there makes
 * a table, as the Python client's `tables.create` does); `/tables/` is the tables-only view.
 * Every object keeps its own URL (a table's is under `/tables/`). A layer object shows one
 * version; `/versions/` reach the others.
 */
export function registerLayerRoutes(base: FastifyInstance, ctx: DomainContext, type: LayerType): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const collection = collectionOf(type);
  const tags = [collection];
  const list = `/${collection}/`;
  const one = `${list}:id/`;
  const versions = `${one}versions/`;
  const version = `${versions}:versionId/`;
  // Published data can be public (group.everyone), so reads take anonymous callers; access rules decide.
  const read = { scope: 'layers:read' as const, auth: 'optional' as const };
  const write = { scope: 'layers:write' as const };

  for (const [url, mode] of [
    [list, 'published'],
    [`${list}drafts/`, 'drafts'],
  ] as const) {
    registerListView(app, {
      url,
      spec: layersListSpec(mode === 'drafts' ? `draft ${collection}` : collection),
      scope: 'layers:read',
      auth: 'optional',
      tags,
      list: (actor, query) => listLayers(ctx, actor, type, mode, query),
      summary: presentLayerSummary,
      full: presentLayer,
    });
  }

  app.post(
    list,
    {
      config: write,
      schema: {
        summary:
          type === 'table'
            ? 'Create a table from a table datasource; its first version imports in the background'
            : 'Create a layer from a vector datasource, or a table from a table datasource; its first version imports in the background',
        tags,
        body: LayerCreateBody,
      },
    },
    async (request, reply) => {
      const body = request.body;
      const title = body.title ?? body.name;
      if (!title) throw invalidParameter('body.title', 'is required');
      const group = typeof body.group === 'object' ? body.group.id : body.group;
      const row = await createLayer(ctx, request.actor, type, {
        title,
        ...(group !== undefined && { group }),
        ...(body.description !== undefined && { description: body.description }),
        ...(body.tags !== undefined && { tags: body.tags }),
        ...(body.categories !== undefined && { categories: body.categories }),
        ...(body.license !== undefined && { license: licenseInput(body.license, request.urlFor) }),
        data: dataInput(body.data, request.urlFor),
      });
      return sendCreated(reply, presentLayer(row, presentContext(request)));
    },
  );

  app.get(one, { config: read, schema: { summary: `Get a ${type} (its published version, else its latest)`, tags, params: idParams } }, async (request) => {
    const row = await getLayer(ctx, request.actor, type, request.params.id);
    await countUse(ctx, row.layer_type, row.layer_id);
    return presentLayer(row, presentContext(request));
  });

  app.delete(one, { config: write, schema: { summary: `Delete a ${type} with all its versions`, tags, params: idParams } }, async (request, reply) => {
    await deleteLayer(ctx, request.actor, type, request.params.id);
    return reply.code(204).send();
  });

  registerListView(app, {
    url: versions,
    spec: layerVersionsListSpec,
    scope: 'layers:read',
    auth: 'optional',
    tags,
    params: idParams,
    list: (actor, query, request) => listVersions(ctx, actor, type, (request.params as { id: number }).id, query),
    summary: presentLayerSummary,
    full: presentLayer,
  });

  // A new version is reached at its own URL, not the layer's.
  const sendVersion = (reply: FastifyReply, body: ReturnType<typeof presentLayer>, status: 201 | 202) => sendCreated(reply, body, status, body.version.url);

  app.post(versions, { config: write, schema: { summary: 'Create a new draft version (409 if one exists)', tags, params: idParams } }, async (request, reply) =>
    sendVersion(reply, presentLayer(await createDraft(ctx, request.actor, type, request.params.id, false), presentContext(request)), 201),
  );

  app.post(
    `${versions}import/`,
    { config: write, schema: { summary: 'Re-import from the same datasources into a new version (start_update)', tags, params: idParams } },
    async (request, reply) =>
      sendVersion(reply, presentLayer(await createDraft(ctx, request.actor, type, request.params.id, true), presentContext(request)), 202),
  );

  for (const ref of ['draft', 'published'] as const) {
    app.get(`${versions}${ref}/`, { config: read, schema: { summary: `The ${ref} version`, tags, params: idParams } }, async (request) =>
      presentLayer(await getVersion(ctx, request.actor, type, request.params.id, ref), presentContext(request)),
    );
  }

  app.get(version, { config: read, schema: { summary: 'Get a version', tags, params: VersionParams } }, async (request) =>
    presentLayer(await getVersion(ctx, request.actor, type, request.params.id, request.params.versionId), presentContext(request)),
  );

  app.put(
    version,
    { config: write, schema: { summary: "Edit a draft's title, description, tags, categories or license; with data, re-import it", tags, params: VersionParams, body: VersionUpdateBody } },
    async (request) => {
      const body = request.body;
      const title = body.title ?? body.name;
      const row = await updateVersion(ctx, request.actor, type, request.params.id, request.params.versionId, {
        ...(title !== undefined && { title }),
        ...(body.description !== undefined && { description: body.description }),
        ...(body.tags !== undefined && { tags: body.tags }),
        ...(body.categories !== undefined && { categories: body.categories }),
        ...(body.license !== undefined && { license: licenseInput(body.license, request.urlFor) }),
        ...(body.data !== undefined && { data: dataInput(body.data, request.urlFor) }),
      });
      return presentLayer(row, presentContext(request));
    },
  );

  app.delete(version, { config: write, schema: { summary: 'Delete a draft version', tags, params: VersionParams } }, async (request, reply) => {
    await deleteVersion(ctx, request.actor, type, request.params.id, request.params.versionId);
    return reply.code(204).send();
  });

  app.post(`${version}import/`, { config: write, schema: { summary: 'Import a draft version again', tags, params: VersionParams } }, async (request, reply) =>
    sendVersion(reply, presentLayer(await importVersion(ctx, request.actor, type, request.params.id, request.params.versionId), presentContext(request)), 202),
  );

  app.post(`${version}publish/`, { config: write, schema: { summary: 'Publish this version (returns a publish request)', tags, params: VersionParams } }, async (request, reply) => {
    const publish = await publishLayerVersion(ctx, request.actor, type, request.params.id, request.params.versionId);
    return sendCreated(reply, presentPublish(publish, presentContext(request)));
  });

  app.get(`${version}import-log/`, { config: read, schema: { summary: "A version's import log, as text", tags, params: VersionParams } }, async (request, reply) => {
    const row = await getVersion(ctx, request.actor, type, request.params.id, request.params.versionId);
    return reply.type('text/plain; charset=utf-8').send(row.import_log);
  });

  registerPermissionRoutes(app, ctx, {
    itemUrl: one,
    itemPath: (id) => apiPath(collection, id),
    type,
    scopes: { read: 'layers:read', write: 'layers:write' },
    tags,
  });

  const metadataRoutes: Array<[string, MetadataForm]> = [
    ['metadata/', 'native'],
    ['metadata/iso/', 'iso'],
    ['metadata/dc/', 'dc'],
  ];
  for (const [suffix, form] of metadataRoutes) {
    app.get(`${version}${suffix}`, { config: read, schema: { summary: `Metadata (${form}) as XML`, tags, params: VersionParams } }, async (request, reply) => {
      const { id, versionId } = request.params;
      const xml = await getMetadata(ctx, request.actor, type, id, versionId as VersionRef, form, (actual) => request.urlFor(apiPath(collectionOf(actual), id)), request.urlFor(metadataRoot));
      return reply.type('application/xml; charset=utf-8').send(xml);
    });
  }

  app.post(
    `${version}metadata/`,
    { config: { ...write, xmlBody: true }, schema: { summary: 'Upload an ISO 19115/19139, FGDC or Dublin Core XML document (raw XML body); ISO schema problems come back as warnings', tags, params: VersionParams } },
    async (request, reply) => {
      if (typeof request.body !== 'string') throw invalidParameter('body', 'send the XML document itself, as application/xml');
      const { format, warnings } = await putMetadata(ctx, request.actor, type, request.params.id, request.params.versionId, request.body);
      const url = request.urlFor(`${apiPath(collection, request.params.id, 'versions', request.params.versionId)}metadata/`);
      return sendCreated(reply, { url, format, warnings });
    },
  );
}
