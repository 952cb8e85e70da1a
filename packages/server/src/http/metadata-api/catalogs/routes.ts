import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { DomainContext } from '../../../domain/context.js';
import type { Group } from '../../../domain/model/groups.js';
import type { RecordCatalog } from '../../../domain/model/record-catalogs.js';
import {
  addToCatalog,
  catalogRecordCounts,
  catalogsOfRecord,
  createRecordCatalog,
  deleteRecordCatalog,
  getRecordCatalog,
  getWorkgroupCatalog,
  listRecordCatalogs,
  removeFromCatalog,
  updateRecordCatalog,
  type RecordCatalogInput,
} from '../../../domain/record-catalogs.js';
import { commonQuery, uidSchema } from '../conventions/params.js';
import { wireTimestamp } from '../conventions/wire.js';
import { registerWorkgroupCollection, type PresentOptions } from '../conventions/workgroup-collection.js';
import { workgroupRef } from '../workgroups/presenter.js';

/** Isogeo's Catalog, its keys only; create and update answers must hold `$scan`, which the SDK renames. */
export function presentCatalog(catalog: RecordCatalog, group: Group, options: PresentOptions) {
  return {
    ...(options.include.has('_abilities') && { _abilities: options.canEdit ? ['catalog:update', 'catalog:delete'] : [] }),
    $scan: catalog.scan,
    _created: wireTimestamp(catalog.created_at),
    _id: catalog.uid,
    _modified: wireTimestamp(catalog.updated_at),
    _tag: `catalog:${catalog.uid}`,
    code: catalog.code,
    ...(options.count !== undefined && { count: options.count }),
    name: catalog.name,
    owner: workgroupRef(group),
  };
}

/** `catalog.create` posts a form (code, name, `$scan=True|False`); an update may send the Catalog back as JSON. */
const CatalogBody = Type.Object(
  {
    code: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    $scan: Type.Optional(Type.Union([Type.Boolean(), Type.Literal('True'), Type.Literal('False'), Type.Literal('true'), Type.Literal('false')])),
    ...Object.fromEntries(['_abilities', '_created', '_id', '_modified', '_tag', 'count', 'owner'].map((key) => [key, Type.Optional(Type.Unknown())])),
  },
  { additionalProperties: false },
);

function inputOf(body: Static<typeof CatalogBody>): RecordCatalogInput {
  return {
    ...(body.code !== undefined && { code: body.code }),
    ...(body.name !== undefined && { name: body.name }),
    ...(body.$scan !== undefined && { scan: body.$scan === true || body.$scan === 'True' || body.$scan === 'true' }),
  };
}

/** Workgroups' catalogs (`groups/{wg}/catalogs/`), and the records in them. */
export function registerCatalogRoutes(base: FastifyInstance, ctx: DomainContext): void {
  registerWorkgroupCollection(base, ctx, {
    path: 'catalogs',
    noun: 'catalog',
    body: CatalogBody,
    input: inputOf,
    includes: ['_abilities', 'count'],
    counts: (context, _group, items) => catalogRecordCounts(context, items),
    present: (catalog, group, options) => presentCatalog(catalog, group!, options),
    list: listRecordCatalogs,
    get: getRecordCatalog,
    readInWorkgroup: getWorkgroupCatalog,
    create: createRecordCatalog,
    update: updateRecordCatalog,
    remove: deleteRecordCatalog,
  });

  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['catalogs'];
  const write = { scope: 'resources:write' } as const;
  const params = Type.Object({ cat: uidSchema, md: uidSchema });
  app.put('/catalogs/:cat/resources/:md/', { config: write, schema: { summary: 'Put a record in a catalog (its workgroup’s admins and editors)', tags, params, querystring: commonQuery } }, async (request, reply) => {
    await addToCatalog(ctx, request.actor, request.params.cat, request.params.md);
    return reply.code(204).send();
  });
  app.delete('/catalogs/:cat/resources/:md/', { config: write, schema: { summary: 'Take a record out of a catalog (404 when it is not in it)', tags, params, querystring: commonQuery } }, async (request, reply) => {
    await removeFromCatalog(ctx, request.actor, request.params.cat, request.params.md);
    return reply.code(204).send();
  });
  app.get('/resources/:md/catalogs/', { schema: { summary: 'The catalogs a record is in', tags, params: Type.Object({ md: uidSchema }), querystring: commonQuery } }, async (request) => {
    const { catalogs, group } = await catalogsOfRecord(ctx, request.actor, request.params.md);
    return catalogs.map((catalog) => presentCatalog(catalog, group, { include: new Set(), canEdit: false }));
  });
}
