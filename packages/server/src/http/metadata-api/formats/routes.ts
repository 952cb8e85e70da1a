import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { DomainContext } from '../../../domain/context.js';
import { createFormat, deleteFormat, getFormat, isFormatType, listFormats, updateFormat, type FormatInput } from '../../../domain/formats.js';
import type { Format } from '../../../domain/model/formats.js';
import { commonQuery } from '../conventions/params.js';

const tags = ['formats'];
const write = { scope: 'resources:write' } as const;

/** Isogeo's Format, its keys only. */
function presentFormat(format: Format) {
  return { _id: format.uid, _tag: `format:${format.code}`, aliases: format.aliases, code: format.code, name: format.name, type: format.type, versions: format.versions };
}

/** Format.to_dict(), as `formats.update` sends it, or a new one's fields. */
const FormatBody = Type.Object(
  {
    code: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    type: Type.Optional(Type.String()),
    aliases: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()])),
    versions: Type.Optional(Type.Union([Type.Array(Type.Union([Type.String(), Type.Null()])), Type.Null()])),
    ...Object.fromEntries(['_id', '_tag'].map((key) => [key, Type.Optional(Type.Unknown())])),
  },
  { additionalProperties: false },
);

const inputOf = (body: FormatInput & { versions?: unknown }): FormatInput => ({
  ...body,
  // The SDK's Format keeps `versions` as a list that may hold None.
  ...(Array.isArray(body.versions) && { versions: body.versions.filter((v) => v !== null) }),
});

/** Formats: `formats/` (all), `formats/{type}/` (dataset, service, resource) or `formats/{code}/` (one); site admins keep them. */
export function registerFormatRoutes(base: FastifyInstance, ctx: DomainContext): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const one = Type.Object({ code: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,49}$' }) });

  app.get('/formats/', { schema: { summary: 'Every format', tags, querystring: commonQuery } }, async () => (await listFormats(ctx)).map(presentFormat));
  app.get('/formats/:code/', { schema: { summary: 'The formats of a type (dataset, service, resource), or one format by its code', tags, params: one, querystring: commonQuery } }, async (request) => {
    const { code } = request.params;
    return isFormatType(code) ? (await listFormats(ctx, code)).map(presentFormat) : presentFormat(await getFormat(ctx, code));
  });
  app.post('/formats/', { config: write, schema: { summary: 'Add a format (site admins)', tags, querystring: commonQuery, body: FormatBody } }, async (request, reply) => {
    reply.code(201);
    return presentFormat(await createFormat(ctx, request.actor, inputOf(request.body)));
  });
  app.put('/formats/:code/', { config: write, schema: { summary: "Change a format's name, type, aliases or versions (site admins)", tags, params: one, querystring: commonQuery, body: FormatBody } }, async (request) =>
    presentFormat(await updateFormat(ctx, request.actor, request.params.code, inputOf(request.body))),
  );
  app.delete('/formats/:code/', { config: write, schema: { summary: 'Delete a format (site admins)', tags, params: one, querystring: commonQuery } }, async (request, reply) => {
    await deleteFormat(ctx, request.actor, request.params.code);
    return reply.code(204).send();
  });
}
