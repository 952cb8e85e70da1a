import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { DomainContext } from '../../../domain/context.js';
import type { Group } from '../../../domain/model/groups.js';
import type { License } from '../../../domain/model/licenses.js';
import {
  createWorkgroupLicense,
  deleteWorkgroupLicense,
  getWorkgroupLicense,
  listWorkgroupLicenses,
  updateWorkgroupLicense,
  type WorkgroupLicenseInput,
} from '../../../domain/workgroup-licenses.js';
import { registerWorkgroupCollection, type PresentOptions } from '../conventions/workgroup-collection.js';
import { presentLicense } from '../resources/presenter.js';
import { recordsNaming } from '../../../domain/record-parts.js';

const text = (maxLength: number) => Type.Optional(Type.Union([Type.String({ maxLength }), Type.Null()]));

/** `license.create` posts a form (content, link, name); an update may send the License back as JSON. */
const LicenseBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    content: text(100_000),
    link: text(2000),
    ...Object.fromEntries(['_abilities', '_id', '_tag', 'count', 'owner'].map((key) => [key, Type.Optional(Type.Unknown())])),
  },
  { additionalProperties: false },
);

function inputOf(body: Static<typeof LicenseBody>): WorkgroupLicenseInput {
  return {
    ...(body.name !== undefined && { name: body.name }),
    ...(body.content !== undefined && { content: body.content }),
    ...(body.link !== undefined && { link: body.link }),
  };
}

/** A licence in a workgroup's list: the site's are no workgroup's own, and only its own can change. */
function present(license: License, group: Group | null, options: PresentOptions) {
  const owner = license.group_id === null ? null : group;
  return {
    ...(options.include.has('_abilities') && { _abilities: options.canEdit && owner ? ['license:update', 'license:delete'] : [] }),
    ...(options.count !== undefined && { count: options.count }),
    ...presentLicense(license, owner),
  };
}

/** Licences: the site's (every workgroup's) and each workgroup's own, `groups/{wg}/licenses/` and `licenses/{id}/`. */
export function registerLicenseRoutes(app: FastifyInstance, ctx: DomainContext): void {
  registerWorkgroupCollection(app, ctx, {
    path: 'licenses',
    noun: 'licence',
    body: LicenseBody,
    input: inputOf,
    // `count`: the workgroup's records with a condition citing it.
    includes: ['_abilities', 'count'],
    counts: (context, group, items) => recordsNaming(context, group, 'condition', items.map((item) => item.uid)),
    present,
    list: listWorkgroupLicenses,
    get: getWorkgroupLicense,
    create: createWorkgroupLicense,
    update: updateWorkgroupLicense,
    remove: deleteWorkgroupLicense,
  });
}
