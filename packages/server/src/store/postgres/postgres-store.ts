import { sql } from 'kysely';
import type * as port from '../../domain/ports/store.js';
import type { CatalogSearch } from '../../domain/ports/catalog-search.js';
import { OpenStore, Repositories } from '../store.js';
import { latestMigration, openPostgres, type OpenedPostgres, type PoolOptions } from './database.js';
import { PostgresCatalogSearch } from './catalog-search.js';
import { generationsRead, type Generations } from './generations.js';
import type { CoalescedRead } from './coalesced-read.js';
import { postgresDialect } from './dialect.js';

/** Serialization failures and deadlocks: the transaction lost a race, and is run again. */
const retryable = (error: unknown) => ['40001', '40P01'].includes((error as { code?: string }).code ?? '');
const maxAttempts = 20;

/** The catalog store on PostgreSQL/PostGIS: the same repositories as SQLite, over a pool. */
export class PostgresStore extends OpenStore implements port.Store {
  readonly catalogSearch: CatalogSearch;

  private constructor(
    private readonly opened: OpenedPostgres,
    private readonly generations: CoalescedRead<Generations> = generationsRead(opened.db),
    private readonly search = new PostgresCatalogSearch(opened.db, {}, generations),
  ) {
    super(opened.db, postgresDialect, search);
    this.catalogSearch = search;
  }

  static async open(url: string, options: PoolOptions = {}): Promise<PostgresStore> {
    return new PostgresStore(await openPostgres(url, options));
  }

  /**
   * Runs `work` in one serializable transaction: all or nothing, and as if alone, as SQLite's
   * one writer gives it. Two requests that read and then write the same rows (two drafts of one
   * layer, a cancel as an export completes) would otherwise both act on what they read; here
   * one of them fails to commit and is run again on what the other wrote. `work` must touch
   * nothing outside the store.
   */
  async transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.opened.db
          .transaction()
          .setIsolationLevel('serializable')
          .execute((trx) => work(new Repositories(trx, postgresDialect, this.search)));
      } catch (error) {
        if (attempt >= maxAttempts || !retryable(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    }
  }

  /** Migration 0005's generation, raised by every statement on tokens, users and memberships: one short read, shared, instead of three. */
  async authVersion(): Promise<string> {
    return String((await this.generations.read()).auth);
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
}
