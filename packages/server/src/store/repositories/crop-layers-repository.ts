import type { Kysely } from 'kysely';
import type { ListQuery, ListResult } from '../../domain/list-query.js';
import type { CropFeature, CropLayerWithCount, NewCropFeature, NewCropLayer } from '../../domain/model/exports.js';
import type { ItemVisibility } from '../../domain/policies/items.js';
import type * as port from '../../domain/ports/store.js';
import { decodeItems, readJson, writeJson } from './columns.js';
import { visibleItem } from './item-visibility.js';
import { runListQuery, type FieldMap } from './list-query.js';
import type { CropFeatureRow, CropLayerRow, Database } from '../schema.js';

const layerFields: FieldMap = { id: 'crop_layers.id', name: 'crop_layers.name' };
const featureFields: FieldMap = { id: 'crop_features.id', name: 'crop_features.name' };

const layerJson = ['extent'] as const;
const featureJson = ['geometry', 'extent'] as const;

type CountedRow = CropLayerRow & { feature_count: number | string | bigint };

const cropLayerOf = (row: CountedRow): CropLayerWithCount => ({ ...readJson(row, layerJson), feature_count: Number(row.feature_count) });
const cropFeatureOf = (row: CropFeatureRow): CropFeature => readJson(row, featureJson);

/** Crop layers and their features (named polygons that exports can be cropped to). */
export class CropLayersRepository implements port.CropLayersRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private withCount(db: Kysely<Database>) {
    return db
      .selectFrom('crop_layers')
      .selectAll('crop_layers')
      .select((eb) =>
        eb.selectFrom('crop_features').select(eb.fn.countAll().as('n')).whereRef('crop_features.crop_layer_id', '=', 'crop_layers.id').as('feature_count'),
      );
  }

  /** The crop layers whose source layer the visibility lets the caller view (site admins: all, orphans included). */
  async list(query: ListQuery, visibility: ItemVisibility): Promise<ListResult<CropLayerWithCount>> {
    const result = await runListQuery(
      this.db,
      (db) =>
        visibility.all
          ? this.withCount(db)
          : this.withCount(db).where((eb) =>
              eb.exists(
                eb
                  .selectFrom('layers')
                  .select('layers.id')
                  .whereRef('layers.id', '=', 'crop_layers.source_layer_id')
                  .where((inner) => visibleItem(inner, 'layer', 'layers.id', 'layers.group_id', visibility)),
              ),
            ),
      query,
      layerFields,
      'crop_layers.id',
    );
    return decodeItems(result as ListResult<CountedRow>, cropLayerOf);
  }

  async findById(id: number): Promise<CropLayerWithCount | undefined> {
    const row = (await this.withCount(this.db).where('crop_layers.id', '=', id).executeTakeFirst()) as CountedRow | undefined;
    return row && cropLayerOf(row);
  }

  async insert(layer: NewCropLayer, features: NewCropFeature[]): Promise<number> {
    const id = (await this.db.insertInto('crop_layers').values(writeJson(layer, layerJson)).returning('id').executeTakeFirstOrThrow()).id;
    // Batched, to stay under SQLite's bound-parameter limit.
    for (let i = 0; i < features.length; i += 200) {
      await this.db
        .insertInto('crop_features')
        .values(features.slice(i, i + 200).map((f) => ({ ...writeJson(f, featureJson), crop_layer_id: id })))
        .execute();
    }
    return id;
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('crop_layers').where('id', '=', id).execute();
  }

  async listFeatures(cropLayerId: number, query: ListQuery): Promise<ListResult<CropFeature>> {
    const result = await runListQuery(
      this.db,
      (db) => db.selectFrom('crop_features').selectAll('crop_features').where('crop_features.crop_layer_id', '=', cropLayerId),
      query,
      featureFields,
      'crop_features.id',
    );
    return decodeItems(result, cropFeatureOf);
  }

  async findFeature(cropLayerId: number, id: number): Promise<CropFeature | undefined> {
    const row = await this.db.selectFrom('crop_features').selectAll().where('crop_layer_id', '=', cropLayerId).where('id', '=', id).executeTakeFirst();
    return row && cropFeatureOf(row);
  }
}
