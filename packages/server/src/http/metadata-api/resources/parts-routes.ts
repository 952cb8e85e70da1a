import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import type { DomainContext } from '../../../domain/context.js';
import { directives } from '../../../domain/directives.js';
import type { RecordPart } from '../../../domain/model/records.js';
import { createAttribute, deleteAttribute, getAttribute, listAttributes, updateAttribute, attributeKeys } from '../../../domain/record-attributes.js';
import { recordContents } from '../../../domain/record-contents.js';
import { addPart, conformity, contactRole, deletePart, deleteRefPart, getPart, listParts, putRefPart, updatePart, type PartInput } from '../../../domain/record-parts.js';
import { recordView, setRecordCoordinateSystem, type RecordView } from '../../../domain/records.js';
import { commonQuery, uidSchema } from '../conventions/params.js';
import { presentAttribute, presentCondition, presentConformity, presentDirective, presentEvent, presentLimitation, presentOperation, presentRecordContact, presentServiceLayer } from './presenter.js';

const langOf = (request: FastifyRequest) => (request.query as { _lang?: string })._lang || undefined;
const write = { scope: 'resources:write' } as const;
const mdParams = Type.Object({ md: uidSchema });
const partParams = Type.Object({ md: uidSchema, id: uidSchema });

/** A body of these keys, any values: the domain checks them and names the field at fault. */
function bodyOf(keys: readonly string[]): TSchema {
  return Type.Object(Object.fromEntries(keys.map((key) => [key, Type.Optional(Type.Unknown())])), { additionalProperties: false });
}

interface ListedPart {
  /** The path segment under `resources/{md}/`. */
  path: string;
  kind: string;
  noun: string;
  body: TSchema;
  present(ctx: DomainContext, request: FastifyRequest, view: RecordView, part: RecordPart): Promise<unknown> | unknown;
}

/** The routes of one kind of part added by POST and named by its `_id`, written once. */
function registerListedPart(app: FastifyInstance, ctx: DomainContext, spec: ListedPart): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['resources'];
  const base = `/resources/:md/${spec.path}/`;
  typed.get(base, { schema: { summary: `A record's ${spec.path}`, tags, params: mdParams, querystring: commonQuery } }, async (request) => {
    const { view, parts } = await listParts(ctx, request.actor, request.params.md, spec.kind as RecordPart['kind']);
    return Promise.all(parts.map((part) => spec.present(ctx, request, view, part)));
  });
  typed.post(base, { config: write, schema: { summary: `Add a ${spec.noun} to a record`, tags, params: mdParams, querystring: commonQuery, body: spec.body } }, async (request, reply) => {
    const { view, part } = await addPart(ctx, request.actor, request.params.md, spec.kind, request.body as PartInput);
    reply.code(201);
    return spec.present(ctx, request, view, part);
  });
  typed.get(`${base}:id/`, { schema: { summary: `One ${spec.noun} of a record`, tags, params: partParams, querystring: commonQuery } }, async (request) => {
    const { view, part } = await getPart(ctx, request.actor, request.params.md, spec.kind, request.params.id);
    return spec.present(ctx, request, view, part);
  });
  typed.put(`${base}:id/`, { config: write, schema: { summary: `Change a ${spec.noun}`, tags, params: partParams, querystring: commonQuery, body: spec.body } }, async (request) => {
    const { view, part } = await updatePart(ctx, request.actor, request.params.md, spec.kind, request.params.id, request.body as PartInput);
    return spec.present(ctx, request, view, part);
  });
  typed.delete(`${base}:id/`, { config: write, schema: { summary: `Remove a ${spec.noun}`, tags, params: partParams, querystring: commonQuery } }, async (request, reply) => {
    await deletePart(ctx, request.actor, request.params.md, spec.kind, request.params.id);
    return reply.code(204).send();
  });
}

/** What records hold: events, limitations, conditions, feature attributes, contacts in roles, conformity, the coordinate system; and the directives limitations cite. */
export function registerRecordPartRoutes(base: FastifyInstance, ctx: DomainContext): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['resources'];

  registerListedPart(app, ctx, { path: 'events', kind: 'event', noun: 'event', body: bodyOf(['_id', 'date', 'description', 'kind', 'waitForSync']), present: (_ctx, _request, _view, part) => presentEvent(part) });
  registerListedPart(app, ctx, {
    path: 'limitations',
    kind: 'limitation',
    noun: 'limitation',
    body: bodyOf(['_id', 'description', 'directive', 'restriction', 'type']),
    present: (_ctx, request, _view, part) => presentLimitation(part, langOf(request)),
  });
  registerListedPart(app, ctx, {
    path: 'conditions',
    kind: 'condition',
    noun: 'condition',
    body: bodyOf(['_id', 'description', 'license']),
    async present(context, _request, view, part) {
      const license = (await context.store.licenses.findByUid(part.ref!))!;
      return presentCondition(part, license, view.group);
    },
  });

  registerListedPart(app, ctx, {
    path: 'layers',
    kind: 'service-layer',
    noun: 'service layer',
    body: bodyOf(['_id', 'id', 'title', 'titles', 'mimeTypes', 'type']),
    present: (_ctx, _request, _view, part) => presentServiceLayer(part),
  });
  registerListedPart(app, ctx, {
    path: 'operations',
    kind: 'operation',
    noun: 'operation',
    body: bodyOf(['_id', 'name', 'verb', 'url', 'mimeTypesIn', 'mimeTypesOut']),
    present: (_ctx, _request, _view, part) => presentOperation(part),
  });

  app.get('/directives/', { schema: { summary: 'The directives a limitation may cite (INSPIRE Article 13)', tags: ['directives'], querystring: commonQuery } }, async (request) =>
    directives.map((directive) => presentDirective(directive, langOf(request))),
  );

  const attributeBody = bodyOf(['_id', 'name', ...attributeKeys, 'parent_resource']);
  const attributes = '/resources/:md/feature-attributes/';
  app.get(attributes, { schema: { summary: "A record's feature attributes (a layer's: its data's fields)", tags, params: mdParams, querystring: commonQuery } }, async (request) =>
    (await listAttributes(ctx, request.actor, request.params.md)).map(presentAttribute),
  );
  app.post(attributes, { config: write, schema: { summary: 'Describe a feature attribute of a record without data', tags, params: mdParams, querystring: commonQuery, body: attributeBody } }, async (request, reply) => {
    const attribute = await createAttribute(ctx, request.actor, request.params.md, request.body as PartInput);
    reply.code(201);
    return presentAttribute(attribute);
  });
  app.get(`${attributes}:id/`, { schema: { summary: 'One feature attribute', tags, params: partParams, querystring: commonQuery } }, async (request) =>
    presentAttribute(await getAttribute(ctx, request.actor, request.params.md, request.params.id)),
  );
  app.put(`${attributes}:id/`, { config: write, schema: { summary: "Change a feature attribute's description, alias…", tags, params: partParams, querystring: commonQuery, body: attributeBody } }, async (request) =>
    presentAttribute(await updateAttribute(ctx, request.actor, request.params.md, request.params.id, request.body as PartInput)),
  );
  app.delete(`${attributes}:id/`, { config: write, schema: { summary: 'Remove a feature attribute of a record without data', tags, params: partParams, querystring: commonQuery } }, async (request, reply) => {
    await deleteAttribute(ctx, request.actor, request.params.md, request.params.id);
    return reply.code(204).send();
  });

  // Contacts in roles, and conformity to specifications: named by the contact's or the specification's `_id`.
  for (const [path, spec, body] of [
    ['contacts', contactRole, bodyOf(['role', '_id', 'contact'])],
    ['specifications', conformity, bodyOf(['conformant', 'specification', '_id'])],
  ] as const) {
    app.put(`/resources/:md/${path}/:id/`, { config: write, schema: { summary: path === 'contacts' ? 'Name a contact in a role' : 'State conformity to a specification', tags, params: partParams, querystring: commonQuery, body } }, async (request) => {
      const { view } = await putRefPart(ctx, request.actor, request.params.md, spec, request.params.id, request.body as PartInput);
      const contents = await recordContents(ctx.store, view, new Set([path === 'contacts' ? 'contacts' : 'conformity']));
      return path === 'contacts'
        ? presentRecordContact(contents.contacts.find((entry) => entry.contact.uid === request.params.id)!, view.group)
        : presentConformity(contents.conformity.find((entry) => entry.specification.uid === request.params.id)!, view.group);
    });
    app.delete(`/resources/:md/${path}/:id/`, { config: write, schema: { summary: path === 'contacts' ? 'Remove a contact from a record' : 'Withdraw a conformity statement', tags, params: partParams, querystring: commonQuery } }, async (request, reply) => {
      await deleteRefPart(ctx, request.actor, request.params.md, spec, request.params.id);
      return reply.code(204).send();
    });
  }
  app.get('/resources/:md/specifications/', { schema: { summary: "A record's conformity statements", tags, params: mdParams, querystring: commonQuery } }, async (request) => {
    const view = await recordView(ctx, request.actor, request.params.md);
    return (await recordContents(ctx.store, view, new Set(['conformity']))).conformity.map((entry) => presentConformity(entry, view.group));
  });
  app.get('/resources/:md/contacts/', { schema: { summary: "A record's contacts, with their roles", tags, params: mdParams, querystring: commonQuery } }, async (request) => {
    const view = await recordView(ctx, request.actor, request.params.md);
    return (await recordContents(ctx.store, view, new Set(['contacts']))).contacts.map((entry) => presentRecordContact(entry, view.group));
  });

  const crsBody = Type.Object(
    { code: Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^[0-9]+$' })]), ...Object.fromEntries(['_tag', 'alias', 'name'].map((key) => [key, Type.Optional(Type.Unknown())])) },
    { additionalProperties: false },
  );
  app.put('/resources/:md/coordinate-system/', { config: write, schema: { summary: "Set the coordinate system of a record without data (EPSG code)", tags, params: mdParams, querystring: commonQuery, body: crsBody } }, async (request) => {
    const view = await setRecordCoordinateSystem(ctx, request.actor, request.params.md, Number(request.body.code));
    const crs = (await recordContents(ctx.store, view, new Set(['coordinateSystem']))).coordinateSystem!;
    return { _tag: `coordinate-system:${crs.code}`, alias: crs.alias, code: String(crs.code), name: crs.name };
  });
  app.delete('/resources/:md/coordinate-system/', { config: write, schema: { summary: "Clear the coordinate system of a record without data", tags, params: mdParams, querystring: commonQuery } }, async (request, reply) => {
    await setRecordCoordinateSystem(ctx, request.actor, request.params.md, null);
    return reply.code(204).send();
  });
}
