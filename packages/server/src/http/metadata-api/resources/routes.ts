import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { DomainContext } from '../../../domain/context.js';
import { groupByUid } from '../../../domain/groups.js';
import type { RecordFields } from '../../../domain/model/records.js';
import { recordContents } from '../../../domain/record-contents.js';
import { createRecord, deleteRecord, getRecord, updateRecord, type RecordInput, type RecordView } from '../../../domain/records.js';
import { importIsoRecord } from '../../../domain/record-import.js';
import { recordIso } from '../../../domain/record-iso.js';
import { validatePart } from '../../shared/validation.js';
import { commonQuery, includesOf, uidSchema } from '../conventions/params.js';
import { metadataRoot } from '../conventions/urls.js';
import { contentsFor, presentRecord, recordIncludes } from './presenter.js';

const tags = ['resources'];
const text = Type.Optional(Type.Union([Type.String(), Type.Null()]));
const number = Type.Optional(Type.Union([Type.Number(), Type.Null()]));
const integer = Type.Optional(Type.Union([Type.Integer(), Type.Null()]));

/** What a record's answer holds beyond the root fields: sent back by a client, ignored. */
const readOnlyKeys = ['_abilities', '_created', '_creator', '_deleted', '_id', '_modified', '_tag', 'thumbnailUrl', ...recordIncludes];

/**
 * The SDK's `to_dict_creation()`: 25 keys, null for anything unset, on create and on every
 * update; what a GET answered may be sent back as it was.
 */
const RecordBody = Type.Object(
  {
    type: Type.Optional(Type.String({ maxLength: 40 })),
    series: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    editionProfile: text,
    title: text,
    abstract: text,
    name: text,
    path: text,
    language: text,
    encoding: text,
    collectionContext: text,
    collectionMethod: text,
    geoContext: text,
    topologicalConsistency: text,
    validityComment: text,
    updateFrequency: text,
    validFrom: text,
    validTo: text,
    created: text,
    modified: text,
    published: text,
    distance: number,
    scale: integer,
    precision: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Null()])),
    formatVersion: text,
    format: text,
    features: integer,
    geometry: text,
    envelope: Type.Optional(Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()])),
    ...Object.fromEntries(readOnlyKeys.map((key) => [key, Type.Optional(Type.Unknown())])),
  },
  { additionalProperties: false },
);

const fieldKeys = [
  'title', 'abstract', 'name', 'path', 'language', 'encoding', 'collectionContext', 'collectionMethod', 'geoContext', 'topologicalConsistency', 'validityComment',
  'updateFrequency', 'validFrom', 'validTo', 'created', 'modified', 'published', 'distance', 'scale', 'formatVersion', 'format', 'features', 'geometry', 'envelope',
] as const satisfies ReadonlyArray<keyof RecordFields>;

function inputOf(body: Static<typeof RecordBody>): RecordInput {
  const fields: RecordFields = {};
  for (const key of fieldKeys) if (body[key] !== undefined) (fields as Record<string, unknown>)[key] = body[key];
  if (body.precision !== undefined) fields.precision = body.precision === null ? null : String(body.precision);
  return {
    ...(body.type !== undefined && { type: body.type }),
    ...(body.series !== undefined && { series: body.series }),
    ...(body.editionProfile !== undefined && { editionProfile: body.editionProfile }),
    fields,
  };
}

const langOf = (request: FastifyRequest) => (request.query as { _lang?: string })._lang || undefined;

/** A record as the request asks for it: its includes loaded and presented. */
export async function answerRecord(ctx: DomainContext, request: FastifyRequest, view: RecordView) {
  const include = includesOf(request, recordIncludes);
  return presentRecord(view, await recordContents(ctx.store, view, contentsFor(include)), include, langOf(request));
}

/** Records: read, create in a workgroup, change (PATCH; PUT as the SDK sends for services), delete. */
export function registerRecordRoutes(base: FastifyInstance, ctx: DomainContext): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const params = Type.Object({ id: uidSchema });
  const write = { scope: 'resources:write' } as const;

  // `resources/{id}/` is the record as JSON, `resources/{id}.xml/` (the SDK's `download_xml`) as ISO 19139.
  app.get(
    '/resources/:id/',
    {
      schema: {
        summary: 'A record, with what `_include` asks for (`all` for everything); with `.xml` after its id, as ISO 19139',
        tags,
        params: Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{32}(\\.xml)?$', description: '32 lowercase hex characters, and .xml for ISO 19139' }) }),
        querystring: commonQuery,
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!id.endsWith('.xml')) return answerRecord(ctx, request, await getRecord(ctx, request.actor, id));
      const xml = await recordIso(ctx, request.actor, id.slice(0, 32), (path) => request.urlFor(`${metadataRoot}${path}`));
      return reply.type('application/xml; charset=utf-8').send(xml);
    },
  );

  // JSON (the SDK's 25 keys), or an ISO 19139 / 19115-3 document as application/xml.
  app.post(
    '/groups/:wg/resources/',
    {
      config: { ...write, xmlBody: true },
      schema: {
        summary: 'Add a record to a workgroup (its admins and editors): its fields as JSON, or an ISO 19139 document as application/xml',
        tags,
        params: Type.Object({ wg: uidSchema }),
        querystring: commonQuery,
      },
    },
    async (request, reply) => {
      const group = await groupByUid(ctx, request.params.wg);
      reply.code(201);
      if (typeof request.body === 'string') {
        const records = request.urlFor(`${metadataRoot}/resources/`);
        const { view, warnings } = await importIsoRecord(ctx, request.actor, group, request.body, (url) => url.startsWith(records));
        if (warnings.length > 0) reply.header('X-Schema-Warnings', String(warnings.length));
        return answerRecord(ctx, request, view);
      }
      const view = await createRecord(ctx, request.actor, group, inputOf(validatePart(RecordBody, request.body ?? {}, 'body')));
      return answerRecord(ctx, request, view);
    },
  );

  for (const method of ['PATCH', 'PUT'] as const) {
    app.route({
      method,
      url: '/resources/:id/',
      config: write,
      schema: { summary: method === 'PATCH' ? "Change a record's root fields (null clears one)" : 'Change a record (as the SDK sends for services)', tags, params, querystring: commonQuery, body: RecordBody },
      handler: async (request) => answerRecord(ctx, request, await updateRecord(ctx, request.actor, request.params.id, inputOf(request.body))),
    });
  }

  app.delete('/resources/:id/', { config: write, schema: { summary: "Delete a record (an item's record with its item)", tags, params, querystring: commonQuery } }, async (request, reply) => {
    await deleteRecord(ctx, request.actor, request.params.id);
    return reply.code(204).send();
  });
}
