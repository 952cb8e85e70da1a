import type { FastifyInstance } from 'fastify';
import { idParams, idSchema } from '../conventions/ids.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { DomainContext } from '../../../domain/context.js';
import { createCropLayer, deleteCropLayer, getCropFeature, getCropLayer, listCropFeatures, listCropLayers } from '../../../domain/crop-layers.js';
import { registerListView } from '../conventions/list-view.js';
import { presentContext, sendCreated } from '../conventions/present.js';
import { idFromRef } from '../conventions/refs.js';
import { presentCropFeature, presentCropFeatureSummary, presentCropLayer } from './presenter.js';
import { CropLayerBody, cropFeaturesListSpec, cropLayersListSpec } from './schema.js';

const tags = ['exports'];
const positive = idSchema();
const featureParams = Type.Object({ id: positive, fid: positive });

/** Crop layers and their features: named polygons to crop exports to. Site admins make them. */
export function registerCropLayerRoutes(base: FastifyInstance, ctx: DomainContext): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const list = '/exports/croplayers/';
  const one = `${list}:id/`;
  const features = `${one}cropfeatures/`;

  registerListView(app, {
    url: list,
    spec: cropLayersListSpec,
    scope: 'exports:read',
    tags,
    list: (actor, query) => listCropLayers(ctx, actor, query),
    summary: presentCropLayer,
    full: presentCropLayer,
  });

  app.post(
    list,
    { config: { scope: 'exports:write' }, schema: { summary: 'Make a crop layer from a published polygon layer (site admins)', tags, body: CropLayerBody } },
    async (request, reply) => {
      const row = await createCropLayer(ctx, request.actor, {
        name: request.body.name,
        sourceLayer: idFromRef(request.body.source_layer, 'layers', 'body.source_layer', request.urlFor),
        nameField: request.body.name_field ?? null,
      });
      return sendCreated(reply, presentCropLayer(row, presentContext(request)));
    },
  );

  app.get(one, { config: { scope: 'exports:read' }, schema: { summary: 'Get a crop layer', tags, params: idParams } }, async (request) =>
    presentCropLayer(await getCropLayer(ctx, request.actor, request.params.id), presentContext(request)),
  );

  app.delete(one, { config: { scope: 'exports:write' }, schema: { summary: 'Delete a crop layer (site admins)', tags, params: idParams } }, async (request, reply) => {
    await deleteCropLayer(ctx, request.actor, request.params.id);
    return reply.code(204).send();
  });

  registerListView(app, {
    url: features,
    spec: cropFeaturesListSpec,
    scope: 'exports:read',
    tags,
    params: idParams,
    list: (actor, query, request) => listCropFeatures(ctx, actor, (request.params as { id: number }).id, query),
    summary: presentCropFeatureSummary,
    full: presentCropFeature,
  });

  app.get(`${features}:fid/`, { config: { scope: 'exports:read' }, schema: { summary: 'Get a crop feature, with its geometry', tags, params: featureParams } }, async (request) =>
    presentCropFeature(await getCropFeature(ctx, request.actor, request.params.id, request.params.fid), presentContext(request)),
  );
}
