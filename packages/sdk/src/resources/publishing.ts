import type { Client } from '../client.js';
import { path } from '../core/path.js';
import { Query } from '../core/query.js';
import { sleep } from '../core/sleep.js';
import type { VersionInfo, WaitOptions } from './layers.js';
import type { Ref, Timestamp } from './wire.js';

/** Something with a current version: a layer, table or set as the server sent it. */
interface Versioned {
  url: string;
  version?: { url: string };
}

/** A request to publish versions, as seed 001 builds it. */
export class Publish {
  static readonly STRATEGY_TOGETHER = 'together';
  static readonly STRATEGY_INDIVIDUAL = 'individual';
  static readonly ERROR_STRATEGY_ABORT = 'abort';
  static readonly ERROR_STRATEGY_IGNORE = 'ignore';

  /** Version URLs. */
  items: string[] = [];
  strategy: 'together' | 'individual' = Publish.STRATEGY_TOGETHER;
  errorStrategy: 'abort' | 'ignore' = Publish.ERROR_STRATEGY_ABORT;
  /** Publish later, at this time. */
  publishAt: Date | string | null = null;

  private add(item: Versioned | string): this {
    this.items.push(typeof item === 'string' ? item : (item.version?.url ?? item.url));
    return this;
  }

  /** Adds a layer's version (the one the object holds, e.g. a draft) or a version URL. */
  addLayerItem(layer: Versioned | string): this {
    return this.add(layer);
  }

  /** Adds a table's version (the one the object holds) or a version URL. */
  addTableItem(table: Versioned | string): this {
    return this.add(table);
  }

  /** Adds a set's version (the one the object holds) or a set version URL. */
  addSetItem(set: Versioned | string): this {
    return this.add(set);
  }

  /** The request body. */
  toJSON(): Record<string, unknown> {
    return {
      items: this.items,
      publish_strategy: this.strategy,
      error_strategy: this.errorStrategy,
      ...(this.publishAt !== null && { publish_at: this.publishAt instanceof Date ? this.publishAt.toISOString() : this.publishAt }),
    };
  }
}

/** A publish request on the server. */
export class PublishRequest {
  /** Identifies the request in API paths and references. */
  id!: number;
  /** Where the API serves this request. */
  url!: string;
  /** Where the request is: waiting, running, or ended one way or another. */
  state!: 'pending' | 'publishing' | 'completed' | 'error' | 'cancelled';
  /** When the request was made. */
  created_at!: Timestamp;
  /** When it is to run, if it was put off; null to run at once. */
  publish_at!: Timestamp | null;
  /** Who made the request. */
  created_by?: Ref;
  /** `together`: every item at once, when all have imported; `individual`: each as soon as it has. */
  publish_strategy?: 'together' | 'individual';
  /** When an item's import fails: `abort` the rest, or `ignore` it and publish the others. */
  error_strategy?: 'abort' | 'ignore';
  /** When it ended; null while it runs. */
  completed_at?: Timestamp | null;
  /** Why it failed, if it did. */
  error?: string | null;
  /** URLs of the versions to publish. */
  items?: string[];
  /** Each item's version URL, version id, publish state and import status. */
  item_states?: Array<{ item: string; version: number; state: 'pending' | 'published' | 'error'; import_status: VersionInfo['status'] }>;
  [key: string]: unknown;

  constructor(
    fields: Record<string, unknown>,
    private readonly manager: PublishingManager,
  ) {
    Object.defineProperty(this, 'manager', { enumerable: false });
    Object.assign(this, fields);
  }

  /** Cancels this request while it is pending. */
  async cancel(): Promise<void> {
    await this.manager.cancel(this.id);
  }

  /** Polls until the request has left `pending` and `publishing`; returns it as it ended. */
  async waitUntilDone(options: WaitOptions = {}): Promise<PublishRequest> {
    let current: PublishRequest = this;
    while (current.state === 'pending' || current.state === 'publishing') {
      await sleep(options.intervalMs ?? 500, options.signal);
      current = await this.manager.get(this.id);
    }
    return current;
  }
}

/** `client.publishing`: publish requests. */
export class PublishingManager {
  constructor(private readonly client: Client) {}

  private wrap = (raw: Record<string, unknown>) => new PublishRequest(raw, this);

  /** Every publish request you may see, as a lazy query. */
  list(): Query<PublishRequest> {
    return new Query(this.client, 'publish/', this.wrap);
  }

  /** One publish request, by id. */
  async get(id: number): Promise<PublishRequest> {
    return this.wrap(await this.client.json('GET', path`publish/${id}/`));
  }

  /** Sends a publish request; it runs now, or at `publishAt`. */
  async create(publish: Publish): Promise<PublishRequest> {
    return this.wrap(await this.client.json('POST', 'publish/', { body: publish.toJSON() }));
  }

  /** Cancels a pending request. */
  async cancel(id: number): Promise<void> {
    await this.client.request('DELETE', path`publish/${id}/`);
  }
}
