import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { DomainContext } from '../../../domain/context.js';
import { getWorkgroup, listWorkgroups, workgroupLimits, workgroupRole } from '../../../domain/workgroups.js';
import { commonQuery, includesOf, uidSchema } from '../conventions/params.js';
import { presentWorkgroup, workgroupIncludes } from './presenter.js';

const tags = ['workgroups'];
const wgParams = Type.Object({ wg: uidSchema });

/** Workgroups: Mapshelf's groups, for their members, their applications and site admins. */
export function registerWorkgroupRoutes(base: FastifyInstance, ctx: DomainContext): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/groups/', { schema: { summary: 'The workgroups you see (site admins: all)', tags, querystring: commonQuery } }, async (request) => {
    const include = includesOf(request, workgroupIncludes);
    return Promise.all(
      (await listWorkgroups(ctx, request.actor)).map(async (group) =>
        presentWorkgroup(group, { include, role: workgroupRole(request.actor, group), ...(include.has('limits') && { limits: await workgroupLimits(ctx, group) }) }),
      ),
    );
  });

  app.get('/groups/:wg/', { schema: { summary: 'A workgroup', tags, params: wgParams, querystring: commonQuery } }, async (request) => {
    const group = await getWorkgroup(ctx, request.actor, request.params.wg);
    const include = includesOf(request, workgroupIncludes);
    return presentWorkgroup(group, { include, role: workgroupRole(request.actor, group), ...(include.has('limits') && { limits: await workgroupLimits(ctx, group) }) });
  });

  app.get('/groups/:wg/limits/', { schema: { summary: "A workgroup's records and members, counted", tags, params: wgParams, querystring: commonQuery } }, async (request) =>
    workgroupLimits(ctx, await getWorkgroup(ctx, request.actor, request.params.wg)),
  );
}
