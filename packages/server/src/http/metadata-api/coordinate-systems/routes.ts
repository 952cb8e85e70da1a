import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { DomainContext } from '../../../domain/context.js';
import {
  deleteCoordinateSystemAlias,
  getCoordinateSystem,
  getWorkgroupCoordinateSystem,
  listCoordinateSystems,
  listWorkgroupCoordinateSystems,
  putCoordinateSystemAlias,
  type CoordinateSystemView,
} from '../../../domain/coordinate-systems.js';
import { groupByUid } from '../../../domain/groups.js';
import { commonQuery, uidSchema } from '../conventions/params.js';

const tags = ['coordinate-systems'];

/** Isogeo's CoordinateSystem: the EPSG code (as text), its name, and a workgroup's alias. */
function presentCoordinateSystem(crs: CoordinateSystemView) {
  return { _tag: `coordinate-system:${crs.code}`, alias: crs.alias, code: String(crs.code), name: crs.name };
}

const code = Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'An EPSG code' });
const AliasBody = Type.Object(
  { alias: Type.String({ minLength: 1, maxLength: 200 }), ...Object.fromEntries(['_tag', 'code', 'name'].map((key) => [key, Type.Optional(Type.Unknown())])) },
  { additionalProperties: false },
);

/** Coordinate systems: every EPSG CRS PROJ knows, and each workgroup's names for those it uses. */
export function registerCoordinateSystemRoutes(base: FastifyInstance, ctx: DomainContext): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const wgParams = Type.Object({ wg: uidSchema });
  const oneParams = Type.Object({ wg: uidSchema, code });

  app.get('/coordinate-systems/', { schema: { summary: 'Every EPSG coordinate system, by code', tags, querystring: commonQuery } }, async () =>
    listCoordinateSystems().map(presentCoordinateSystem),
  );

  app.get('/coordinate-systems/:code/', { schema: { summary: 'One EPSG coordinate system', tags, params: Type.Object({ code }), querystring: commonQuery } }, async (request) =>
    presentCoordinateSystem(getCoordinateSystem(request.params.code)),
  );

  app.get('/groups/:wg/coordinate-systems/', { schema: { summary: 'The coordinate systems a workgroup has named, with its names', tags, params: wgParams, querystring: commonQuery } }, async (request) =>
    (await listWorkgroupCoordinateSystems(ctx, request.actor, await groupByUid(ctx, request.params.wg))).map(presentCoordinateSystem),
  );

  app.get('/groups/:wg/coordinate-systems/:code/', { schema: { summary: "A coordinate system, with the workgroup's name for it", tags, params: oneParams, querystring: commonQuery } }, async (request) =>
    presentCoordinateSystem(await getWorkgroupCoordinateSystem(ctx, request.actor, await groupByUid(ctx, request.params.wg), request.params.code)),
  );

  app.put(
    '/groups/:wg/coordinate-systems/:code/',
    { config: { scope: 'resources:write' }, schema: { summary: "Give a coordinate system the workgroup's own name (its admins and editors)", tags, params: oneParams, querystring: commonQuery, body: AliasBody } },
    async (request) => presentCoordinateSystem(await putCoordinateSystemAlias(ctx, request.actor, await groupByUid(ctx, request.params.wg), request.params.code, request.body.alias)),
  );

  app.delete(
    '/groups/:wg/coordinate-systems/:code/',
    { config: { scope: 'resources:write' }, schema: { summary: "Remove the workgroup's name for a coordinate system", tags, params: oneParams, querystring: commonQuery } },
    async (request, reply) => {
      await deleteCoordinateSystemAlias(ctx, request.actor, await groupByUid(ctx, request.params.wg), request.params.code);
      return reply.code(204).send();
    },
  );
}
