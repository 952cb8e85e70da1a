import type { Insertable, Kysely } from 'kysely';
import type { ListQuery, ListResult } from '../../domain/list-query.js';
import type { ItemVisibility } from '../../domain/policies/items.js';
import { visibleItem } from './item-visibility.js';
import { runListQuery, type FieldMap } from './list-query.js';
import type { CropFeatureRow, CropFeaturesTable, CropLayerRow, Database } from '../schema.js';

const layerFields: FieldMap = { id: 'crop_layers.id', name: 'crop_layers.name' };
const featureFields: FieldMap = { id: 'crop_features.id', name: 'crop_features.name' };

export type CropLayerWithCount = CropLayerRow & { feature_count: number };

/** Crop layers and their features (named polygons that exports can be cropped to). */
export class CropLayersRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private withCount(db: Kysely<Database>) {
    return db
      .selectFrom('crop_layers')
      .selectAll('crop_layers')
      .select((eb) =>
        eb.selectFrom('crop_features').select(eb.fn.countAll<number>().as('n')).whereRef('crop_features.crop_layer_id', '=', 'crop_layers.id').as('feature_count'),
      );
  }

  /** The crop layers whose source layer the visibility lets the caller view (site admins: all, orphans included). */
  async list(query: ListQuery, visibility: ItemVisibility): Promise<ListResult<CropLayerWithCount>> {
    return runListQuery(
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
    ) as Promise<ListResult<CropLayerWithCount>>;
  }

  async findById(id: number): Promise<CropLayerWithCount | undefined> {
    return this.withCount(this.db).where('crop_layers.id', '=', id).executeTakeFirst() as Promise<CropLayerWithCount | undefined>;
  }

  async insert(row: Insertable<Database['crop_layers']>, features: Array<Omit<Insertable<CropFeaturesTable>, 'crop_layer_id'>>): Promise<number> {
    const id = (await this.db.insertInto('crop_layers').values(row).returning('id').executeTakeFirstOrThrow()).id;
    // Batched, to stay under SQLite's bound-parameter limit.
    for (let i = 0; i < features.length; i += 200) {
      await this.db
        .insertInto('crop_features')
        .values(features.slice(i, i + 200).map((f) => ({ ...f, crop_layer_id: id })))
        .execute();
    }
    return id;
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('crop_layers').where('id', '=', id).execute();
  }

  async listFeatures(cropLayerId: number, query: ListQuery): Promise<ListResult<CropFeatureRow>> {
    return runListQuery(
      this.db,
      (db) => db.selectFrom('crop_features').selectAll('crop_features').where('crop_features.crop_layer_id', '=', cropLayerId),
      query,
      featureFields,
      'crop_features.id',
    );
  }

  async findFeature(cropLayerId: number, id: number): Promise<CropFeatureRow | undefined> {
    return this.db.selectFrom('crop_features').selectAll().where('crop_layer_id', '=', cropLayerId).where('id', '=', id).executeTakeFirst();
  }
}
