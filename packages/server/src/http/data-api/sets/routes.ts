import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { countUse } from '../../../domain/catalog.js';
import type { DomainContext } from '../../../domain/context.js';
import { invalidParameter } from '../../../domain/errors.js';
import type { MetadataForm } from '../../../domain/metadata/index.js';
import {
  createSet,
  createSetDraft,
  deleteSet,
  deleteSetVersion,
  getSetMetadata,
  getSetVersion,
  listSetVersions,
  listSets,
  publishSetVersion,
  putSetMetadata,
  saveSet,
  updateSetVersion,
  visibleSetItems,
  type SetInput,
  type SetItemInput,
  type SetVersionRef,
} from '../../../domain/sets.js';
import type { SetView } from '../../../domain/model/sets.js';
import { registerListView } from '../conventions/list-view.js';
import { registerPermissionRoutes } from '../permissions/routes.js';
import { presentContext, sendCreated, type PresentContext } from '../conventions/present.js';
import { idInText, idParams } from '../conventions/ids.js';
import { idFromRef, localPath } from '../conventions/refs.js';
import type { UrlFor } from '../../shared/public-url.js';
import { apiPath } from '../conventions/urls.js';
import { presentPublish } from '../publish/presenter.js';
import { presentSet, presentSetSummary } from './presenter.js';
import { SetCreateBody, SetUpdateBody, SetVersionParams, setVersionsListSpec, setsListSpec } from './schema.js';
import { metadataRoot } from '../../shared/face-roots.js';

const tags = ['sets'];

const itemPattern = /\/(layers|tables|documents)\/(\d+)\/?$/;
const itemTypes = { layers: 'layer', tables: 'table', documents: 'document' } as const;

function itemOf(ref: string | { url: string }, location: string, urlFor: UrlFor): SetItemInput {
  const url = typeof ref === 'string' ? ref : ref.url;
  const match = itemPattern.exec(localPath(url, location, urlFor));
  const itemId = idInText(match?.[2]);
  if (!match || itemId === null) throw invalidParameter(location, `expected a layer, table or document URL (…/layers/12/), not "${url}"`);
  return { item_type: itemTypes[match[1] as keyof typeof itemTypes], item_id: itemId };
}

function setInput(body: SetUpdateBody, urlFor: UrlFor): SetInput {
  const title = body.title ?? body.name;
  return {
    ...(title !== undefined && { title }),
    ...(body.description !== undefined && { description: body.description }),
    ...(body.tags !== undefined && { tags: body.tags }),
    ...(body.categories !== undefined && { categories: body.categories }),
    ...(body.license !== undefined && { license: body.license === null ? null : idFromRef(body.license, 'licenses', 'body.license', urlFor) }),
    ...(body.items !== undefined && { items: body.items.map((item, i) => itemOf(item, `body.items[${i}]`, urlFor)) }),
    ...(body.settings !== undefined && { settings: body.settings }),
  };
}

/** Sets (`/sets/`): ordered lists of layers, tables and documents, versioned and published like layers. */
export function registerSetRoutes(base: FastifyInstance, ctx: DomainContext): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const list = '/sets/';
  const one = `${list}:id/`;
  const versions = `${one}versions/`;
  const version = `${versions}:versionId/`;
  const read = { scope: 'sets:read' as const, auth: 'optional' as const };
  const write = { scope: 'sets:write' as const };
  // A set's detail routes inline its items with `Expand: items` (or the old client's `i,t,e,m,s`).
  const readOne = { ...read, expansions: ['items'] };

  // The items shown depend on who asks, so presenting a set needs the caller.
  const present = async (row: SetView, pc: PresentContext, request: FastifyRequest) => presentSet(row, await visibleSetItems(ctx, request.actor, row), pc);
  const respond = async (row: SetView, request: FastifyRequest) => present(row, presentContext(request), request);

  for (const [url, mode] of [
    [list, 'published'],
    [`${list}drafts/`, 'drafts'],
  ] as const) {
    registerListView(app, {
      url,
      spec: setsListSpec(mode === 'drafts' ? 'draft sets' : 'sets'),
      scope: 'sets:read',
      auth: 'optional',
      tags,
      list: (actor, query) => listSets(ctx, actor, mode, query),
      summary: presentSetSummary,
      full: present,
    });
  }

  app.post(list, { config: write, schema: { summary: 'Create a set; its first version is a draft until published', tags, body: SetCreateBody } }, async (request, reply) => {
    const { group, ...fields } = request.body;
    const input = setInput(fields, request.urlFor);
    if (!input.title) throw invalidParameter('body.title', 'is required');
    const row = await createSet(ctx, request.actor, { ...input, title: input.title, ...(group !== undefined && { group: typeof group === 'object' ? group.id : group }) });
    return sendCreated(reply, await respond(row, request));
  });

  app.get(one, { config: readOne, schema: { summary: 'Get a set (its published version, else its latest); Expand: items inlines them', tags, params: idParams } }, async (request) => {
    const row = await getSetVersion(ctx, request.actor, request.params.id, 'current');
    await countUse(ctx, 'set', row.set_id);
    return respond(row, request);
  });

  app.put(
    one,
    { config: write, schema: { summary: 'Save changes into the draft (a new draft when there is none)', tags, params: idParams, body: SetUpdateBody } },
    async (request) => respond(await saveSet(ctx, request.actor, request.params.id, setInput(request.body, request.urlFor)), request),
  );

  app.delete(one, { config: write, schema: { summary: 'Delete a set with all its versions (its items stay)', tags, params: idParams } }, async (request, reply) => {
    await deleteSet(ctx, request.actor, request.params.id);
    return reply.code(204).send();
  });

  registerListView(app, {
    url: versions,
    spec: setVersionsListSpec,
    scope: 'sets:read',
    auth: 'optional',
    tags,
    params: idParams,
    list: (actor, query, request) => listSetVersions(ctx, actor, (request.params as { id: number }).id, query),
    summary: presentSetSummary,
    full: present,
  });

  app.post(versions, { config: write, schema: { summary: 'Create a new draft version (409 if one exists)', tags, params: idParams } }, async (request, reply) => {
    const body = await respond(await createSetDraft(ctx, request.actor, request.params.id), request);
    return sendCreated(reply, body, 201, body.version.url);
  });

  for (const ref of ['draft', 'published'] as const) {
    app.get(`${versions}${ref}/`, { config: readOne, schema: { summary: `The ${ref} version`, tags, params: idParams } }, async (request) =>
      respond(await getSetVersion(ctx, request.actor, request.params.id, ref), request),
    );
  }

  app.get(version, { config: readOne, schema: { summary: 'Get a version', tags, params: SetVersionParams } }, async (request) =>
    respond(await getSetVersion(ctx, request.actor, request.params.id, request.params.versionId), request),
  );

  app.put(version, { config: write, schema: { summary: 'Edit a draft version', tags, params: SetVersionParams, body: SetUpdateBody } }, async (request) =>
    respond(await updateSetVersion(ctx, request.actor, request.params.id, request.params.versionId, setInput(request.body, request.urlFor)), request),
  );

  app.delete(version, { config: write, schema: { summary: 'Delete a draft version', tags, params: SetVersionParams } }, async (request, reply) => {
    await deleteSetVersion(ctx, request.actor, request.params.id, request.params.versionId);
    return reply.code(204).send();
  });

  app.post(`${version}publish/`, { config: write, schema: { summary: 'Publish this version (returns the publish request)', tags, params: SetVersionParams } }, async (request, reply) =>
    sendCreated(reply, presentPublish(await publishSetVersion(ctx, request.actor, request.params.id, request.params.versionId), presentContext(request))),
  );

  registerPermissionRoutes(app, ctx, {
    itemUrl: one,
    itemPath: (id) => apiPath('sets', id),
    type: 'set',
    scopes: { read: 'sets:read', write: 'sets:write' },
    tags,
  });

  // Metadata of the set (its current version; uploads go to its draft) and of each version.
  const forms: Array<[string, MetadataForm]> = [
    ['metadata/', 'native'],
    ['metadata/iso/', 'iso'],
    ['metadata/dc/', 'dc'],
  ];
  for (const [suffix, form] of forms) {
    for (const [url, params, refOf] of [
      [`${one}${suffix}`, idParams, () => 'current'],
      [`${version}${suffix}`, SetVersionParams, (p: { versionId?: number }) => p.versionId!],
    ] as const) {
      app.get(url, { config: read, schema: { summary: `Metadata (${form}) as XML`, tags, params } }, async (request, reply) => {
        const p = request.params as { id: number; versionId?: number };
        const xml = await getSetMetadata(ctx, request.actor, p.id, refOf(p) as SetVersionRef, form, request.urlFor(apiPath('sets', p.id)), request.urlFor(metadataRoot));
        return reply.type('application/xml; charset=utf-8').send(xml);
      });
    }
  }
  for (const [url, params] of [
    [`${one}metadata/`, idParams],
    [`${version}metadata/`, SetVersionParams],
  ] as const) {
    app.post(
      url,
      {
        config: { ...write, xmlBody: true },
        schema: { summary: 'Upload an ISO 19115/19139, FGDC or Dublin Core XML document onto the draft (raw XML body)', tags, params },
      },
      async (request, reply) => {
        if (typeof request.body !== 'string') throw invalidParameter('body', 'send the XML document itself, as application/xml');
        const p = request.params as { id: number; versionId?: number };
        const { format, warnings, version: row } = await putSetMetadata(ctx, request.actor, p.id, p.versionId ?? 'draft', request.body);
        return sendCreated(reply, { url: request.urlFor(`${apiPath('sets', p.id, 'versions', row.id)}metadata/`), format, warnings });
      },
    );
  }
}
