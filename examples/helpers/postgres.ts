/**
 * Where the PostgreSQL examples (and the PostgreSQL tests, which reuse this) find a database:
 * `STEADFAST_PG_URL` (default postgres://postgres@127.0.0.1:5432/test) when it answers. On CI
 * (`CI=true`) it must answer. Elsewhere, with no server, an embedded PGlite is served on a local
 * port through @electric-sql/pglite-socket, so `pg` talks to it as to a real server.
 */
import pg from 'pg';

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface Database {
  url: string;
  /** True for the embedded PGlite: one session shared by every connection, so no real transaction isolation, no second process killing, no restart. */
  embedded: boolean;
  close(): Promise<void>;
}

/** Whether a PostgreSQL server answers at `url` (within 3 seconds). */
export async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The server at `STEADFAST_PG_URL`, or (not on CI) an embedded PGlite on a free local port. */
export async function database(env: NodeJS.ProcessEnv = process.env): Promise<Database> {
  const url = env['STEADFAST_PG_URL'] ?? DEFAULT_PG_URL;
  if (await reachable(url)) return { url, embedded: false, close: async () => undefined };
  if (env['CI'] === 'true') throw new Error(`PostgreSQL is unreachable at ${url} (STEADFAST_PG_URL); on CI the PostgreSQL suite must run against a real server`);
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 16 });
  await server.start();
  const conn = server.getServerConn(); // "127.0.0.1:<port>"
  return {
    url: `postgres://postgres@${conn}/postgres`,
    embedded: true,
    close: async () => {
      await server.stop();
      await db.close();
    },
  };
}
