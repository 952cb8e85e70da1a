import type { Kysely } from 'kysely';
import type SQLite from 'better-sqlite3';
import { isStoreUnavailable } from './store-errors.js';
import type * as port from '../domain/ports/store.js';
import { latestMigration, openDatabase, type OpenedDatabase } from './sqlite/database.js';
import { sqliteDialect } from './sqlite/dialect.js';
import { CatalogRepository, type CatalogChanges } from './repositories/catalog-repository.js';
import { SqliteCatalogSearch } from './sqlite/catalog-search.js';
import type { CatalogSearch } from '../domain/ports/catalog-search.js';
import { CropLayersRepository } from './repositories/crop-layers-repository.js';
import { ExportsRepository } from './repositories/exports-repository.js';
import { GroupsRepository } from './repositories/groups-repository.js';
import { JobsRepository } from './repositories/jobs-repository.js';
import { LayersRepository } from './repositories/layers-repository.js';
import { PermissionsRepository } from './repositories/permissions-repository.js';
import { PublishRepository } from './repositories/publish-repository.js';
import { SetsRepository } from './repositories/sets-repository.js';
import { SourcesRepository } from './repositories/sources-repository.js';
import { DocumentsRepository } from './repositories/documents-repository.js';
import { LicensesRepository } from './repositories/licenses-repository.js';
import { TokensRepository } from './repositories/tokens-repository.js';
import { ApplicationsRepository } from './repositories/applications-repository.js';
import { ContactsRepository } from './repositories/contacts-repository.js';
import { SpecificationsRepository } from './repositories/specifications-repository.js';
import { RecordsRepository } from './repositories/records-repository.js';
import { RecordCatalogsRepository } from './repositories/record-catalogs-repository.js';
import { SharesRepository } from './repositories/shares-repository.js';
import { FormatsRepository } from './repositories/formats-repository.js';
import { InvitationsRepository } from './repositories/invitations-repository.js';
import type { Database } from './schema.js';
import type { SqlDialect } from './repositories/sql-dialect.js';
import { UsersRepository } from './repositories/users-repository.js';

/** The repositories, bound to the database or to one transaction. */
export class Repositories implements port.Repositories {
  readonly users: UsersRepository;
  readonly groups: GroupsRepository;
  readonly tokens: TokensRepository;
  readonly applications: ApplicationsRepository;
  readonly contacts: ContactsRepository;
  readonly specifications: SpecificationsRepository;
  readonly records: RecordsRepository;
  readonly recordCatalogs: RecordCatalogsRepository;
  readonly shares: SharesRepository;
  readonly formats: FormatsRepository;
  readonly invitations: InvitationsRepository;
  readonly exports: ExportsRepository;
  readonly cropLayers: CropLayersRepository;
  readonly licenses: LicensesRepository;
  readonly jobs: JobsRepository;
  readonly layers: LayersRepository;
  readonly publish: PublishRepository;
  readonly permissions: PermissionsRepository;
  readonly catalog: CatalogRepository;
  readonly sources: SourcesRepository;
  readonly sets: SetsRepository;
  readonly documents: DocumentsRepository;

  /**
   * `dialect` says the engine's forms of the SQL that differs; `changes` hears of writes that the
   * store's catalog search must see, from every transaction's repositories.
   */
  constructor(db: Kysely<Database>, dialect: SqlDialect, changes?: CatalogChanges) {
    this.users = new UsersRepository(db, dialect);
    this.groups = new GroupsRepository(db, dialect);
    this.tokens = new TokensRepository(db);
    this.applications = new ApplicationsRepository(db);
    this.contacts = new ContactsRepository(db);
    this.specifications = new SpecificationsRepository(db);
    this.records = new RecordsRepository(db);
    this.recordCatalogs = new RecordCatalogsRepository(db);
    this.shares = new SharesRepository(db);
    this.formats = new FormatsRepository(db);
    this.invitations = new InvitationsRepository(db);
    this.exports = new ExportsRepository(db);
    this.cropLayers = new CropLayersRepository(db);
    this.licenses = new LicensesRepository(db);
    this.jobs = new JobsRepository(db, dialect);
    this.layers = new LayersRepository(db, dialect);
    this.publish = new PublishRepository(db);
    this.permissions = new PermissionsRepository(db, changes);
    this.catalog = new CatalogRepository(db, changes);
    this.sources = new SourcesRepository(db);
    this.sets = new SetsRepository(db, dialect);
    this.documents = new DocumentsRepository(db, dialect);
  }
}

/** What both stores add to their repositories: closing once, and telling an unavailable store's errors. */
export abstract class OpenStore extends Repositories {
  private closed = false;

  constructor(
    private readonly database: Kysely<Database>,
    dialect: SqlDialect,
    changes?: CatalogChanges,
  ) {
    super(database, dialect, changes);
  }

  isUnavailable(error: unknown): boolean {
    return isStoreUnavailable(error);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.database.destroy();
  }
}

/**
 * The embedded catalog store, on one SQLite file in the data folder. The domain sees it through
 * its port (`domain/ports/store.ts`), which a PostgreSQL store implements too.
 */
export class Store extends OpenStore implements port.Store {
  /** Catalog search, over the whole store (not one transaction). */
  readonly catalogSearch: CatalogSearch;
  private stateProbe: SQLite.Statement | undefined;

  private constructor(
    private readonly opened: OpenedDatabase,
    private readonly search = new SqliteCatalogSearch(opened.db, opened.sqlite),
  ) {
    super(opened.db, sqliteDialect, search);
    this.catalogSearch = search;
  }

  /** Opens the embedded store in a data folder, creating and migrating it as needed. */
  static async open(dataDir: string): Promise<Store> {
    return new Store(await openDatabase(dataDir));
  }

  /** Runs `work` in one transaction: all or nothing. */
  transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    return this.opened.db.transaction().execute((trx) => work(new Repositories(trx, sqliteDialect, this.search)));
  }

  async health(): Promise<port.StoreHealth> {
    try {
      // A cheap probe: health is polled often, and the schema only changes when the store opens.
      this.opened.sqlite.prepare('select 1').get();
      return { status: 'ok', engine: 'sqlite', migration: this.opened.migration, latestMigration };
    } catch (error) {
      return { status: 'error', engine: 'sqlite', migration: null, latestMigration, detail: String(error) };
    }
  }

  /** This connection's row changes, and other connections' commits (`data_version`): together, every write, those to tokens, users and memberships among them. */
  async authVersion(): Promise<string> {
    this.stateProbe ??= this.opened.sqlite.prepare('select total_changes(), data_version from pragma_data_version').raw(true);
    const [changes, commits] = this.stateProbe.get() as [number, number];
    return `${changes}:${commits}`;
  }

  get path(): string {
    return this.opened.path;
  }
}
