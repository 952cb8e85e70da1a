/** Types of `test-postgres.mjs`, for the TypeScript tests that start a cluster of their own. */
export declare const templateDatabase: string;

export interface TestCluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  admin: string;
  port: number;
  dir: string;
  psql(sql: string, db?: string): string;
  /** Stops the server, keeping its data. */
  pause(): void;
  /** Starts it again after `pause`. */
  resume(): void;
  /** Stops it and removes its data. */
  stop(): void;
}

export interface TestClusterOptions {
  /** fsync, synchronous commits and full-page writes on, as in production (default off). */
  durable?: boolean;
}

export declare function startTestCluster(options?: TestClusterOptions): Promise<TestCluster>;
