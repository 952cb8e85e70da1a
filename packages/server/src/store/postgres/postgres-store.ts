import { sql } from 'kysely';
import { isStoreUnavailable } from '../store-errors.js';
import type * as port from '../../domain/ports/store.js';
import type { CatalogSearch } from '../../domain/ports/catalog-search.js';
import { Repositories } from '../store.js';
import { latestMigration, openPostgres, type OpenedPostgres, type PoolOptions } from './database.js';
import { PostgresCatalogSearch } from './catalog-search.js';
import { postgresDialect } from './dialect.js';

/** The catalog store on PostgreSQL/PostGIS: the same repositories as SQLite, over a pool. */
export class PostgresStore extends Repositories implements port.Store {
  private closed = false;
  readonly catalogSearch: CatalogSearch;

  private constructor(private readonly opened: OpenedPostgres) {
    super(opened.db, postgresDialect);
    this.catalogSearch = new PostgresCatalogSearch(opened.db);
  }

  static async open(url: string, options: PoolOptions = {}): Promise<PostgresStore> {
    return new PostgresStore(await openPostgres(url, options));
  }

  transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    return this.opened.db.transaction().execute((trx) => work(new Repositories(trx, postgresDialect)));
  }

  async health(): Promise<port.StoreHealth> {
    try {
      await sql`select 1`.execute(this.opened.db);
      return { status: 'ok', engine: 'postgres', migration: this.opened.migration, latestMigration };
    } catch (error) {
      return { status: 'error', engine: 'postgres', migration: null, latestMigration, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Where the catalog lives, for logs: the URL without its password. */
  get path(): string {
    return this.opened.safeUrl;
  }

  isUnavailable(error: unknown): boolean {
    return isStoreUnavailable(error);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.opened.db.destroy();
  }
}
