/**
 * The parts of a node-postgres (`pg`) pool and client that the PostgreSQL outbox uses, typed
 * structurally: `pg` stays the application's dependency, never steadfast's.
 */

/** The result of a query: its rows (plain objects keyed by column name). */
export interface PgResult {
  rows: Array<Record<string, unknown>>;
  rowCount: number | null;
}

/**
 * A connection that runs queries, such as a `pg.PoolClient` inside your open transaction.
 *
 * @example
 * const client: PgClient = await pool.connect();
 * await client.query('BEGIN');
 */
export interface PgClient {
  query(text: string, values?: unknown[]): Promise<PgResult>;
}

/** A `LISTEN` notification, as node-postgres delivers it. */
export interface PgNotification {
  channel: string;
  payload?: string | undefined;
}

/**
 * A client checked out of a pool: the outbox keeps one for `LISTEN` and returns it with `release`.
 *
 * @example
 * const client: PgPoolClient = await pool.connect();
 * client.release();
 */
export interface PgPoolClient extends PgClient {
  /** `release(error)` destroys the connection instead of returning it to the pool. */
  release(error?: Error | boolean): void;
  on(event: 'notification', listener: (message: PgNotification) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  // `any` because pg's EventEmitter types take (...args: any[]) => void; `never` would not match them.
  removeListener(event: 'notification' | 'error' | 'end', listener: (...args: any[]) => void): unknown;
}

/**
 * Your `pg.Pool` (node-postgres), or anything with the same `query` and `connect`.
 *
 * @example
 * import pg from 'pg';
 * const pool: PgPool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 */
export interface PgPool extends PgClient {
  connect(): Promise<PgPoolClient>;
}
