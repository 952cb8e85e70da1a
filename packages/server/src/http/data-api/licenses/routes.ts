import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { DomainContext } from '../../../domain/context.js';
import { createLicense, getLicense, getLicenseBySlug, listLicenses } from '../../../domain/licenses.js';
import { registerListView } from '../conventions/list-view.js';
import { presentContext, sendCreated } from '../conventions/present.js';
import { idParams } from '../conventions/ids.js';
import { presentLicense, presentLicenseSummary } from './presenter.js';
import { LicenseCreateBody, LicenseSlugParams, licensesListSpec } from './schema.js';

const tags = ['licenses'];

export function registerLicenseRoutes(base: FastifyInstance, ctx: DomainContext): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const list = '/licenses/';
  const one = `${list}:id/`;
  const bySlug = `${list}:slug/:jurisdiction/`;

  // Licenses are public: anonymous callers may read them (signed-in ones still need the scope).
  registerListView(app, {
    url: list,
    spec: licensesListSpec,
    scope: 'layers:read',
    auth: 'optional',
    tags,
    list: (actor, query) => listLicenses(ctx, actor, query),
    summary: presentLicenseSummary,
    full: presentLicense,
  });

  app.post(
    list,
    { config: { scope: 'layers:write' }, schema: { summary: 'Add a custom license (site admins)', tags, body: LicenseCreateBody } },
    async (request, reply) => sendCreated(reply, presentLicense(await createLicense(ctx, request.actor, request.body), presentContext(request))),
  );

  app.get(
    one,
    { config: { auth: 'optional', scope: 'layers:read' }, schema: { summary: 'Get a license', tags, params: idParams } },
    async (request) => presentLicense(await getLicense(ctx, request.actor, request.params.id), presentContext(request)),
  );

  app.get(
    bySlug,
    {
      config: { auth: 'optional', scope: 'layers:read' },
      schema: {
        summary: 'Get a license by slug and jurisdiction (international, or empty, for unported licenses)',
        tags,
        params: LicenseSlugParams,
      },
    },
    async (request) =>
      presentLicense(await getLicenseBySlug(ctx, request.actor, request.params.slug, request.params.jurisdiction), presentContext(request)),
  );
}
