/**
 * The outbox's tables, created or migrated at open under one advisory lock, so any number of
 * workers may start at once; `steadfast_schema` records each table's schema version.
 */
import type { PgPool } from './client.js';
import type { TableNames } from './options.js';

/** The schema version this code writes and reads. */
export const SCHEMA_VERSION = 1;

// One lock for every steadfast migration in the database: two tables created at once would both
// try to create steadfast_schema, and CREATE TABLE IF NOT EXISTS is not safe under concurrency.
const MIGRATION_LOCK = "pg_advisory_xact_lock(hashtext('steadfast_schema'))";

/**
 * The claim, in one round trip. Step 1 picks the oldest items of free order keys (the head of each
 * key, nothing of it in flight) and takes a transaction-scoped advisory lock on each one's key,
 * skipping keys another worker is claiming at this moment. Step 2 runs with a new snapshot, taken
 * after those locks: under FOR UPDATE SKIP LOCKED it re-checks that each item is still its key's
 * head with nothing of the key in flight, so an item committed late, while a younger one of its
 * key is in flight, waits for that one rather than running beside it.
 */
function claimFunction(n: TableNames): string {
  const headAndFree = (t: string): string => `${t}.available_at <= now() AND (${t}.locked_until IS NULL OR ${t}.locked_until <= now())
      AND NOT EXISTS (SELECT 1 FROM ${n.table} p WHERE p.order_key = ${t}.order_key AND p.id < ${t}.id)
      AND NOT EXISTS (SELECT 1 FROM ${n.table} p WHERE p.order_key = ${t}.order_key AND p.id <> ${t}.id AND p.locked_until > now())`;
  // The key lock sits outside the LIMITed subquery: inside, the planner would test it before the
  // head checks and lock the keys of rows it then rejects.
  return `
CREATE OR REPLACE FUNCTION ${n.claim}(want integer, lease_ms double precision, token text)
RETURNS SETOF ${n.table} LANGUAGE plpgsql VOLATILE AS $claim$
DECLARE ids bigint[];
BEGIN
  SELECT array_agg(h.id) INTO ids FROM (
    SELECT c.id FROM (
      SELECT o.id, o.order_key FROM ${n.table} o WHERE ${headAndFree('o')} ORDER BY o.id LIMIT want * 2 + 16
    ) c
    WHERE pg_try_advisory_xact_lock(hashtext(${quote(n.plain)}), hashtext(c.order_key)) LIMIT want) h;
  IF ids IS NULL THEN RETURN; END IF;
  RETURN QUERY UPDATE ${n.table} t
    SET locked_until = now() + lease_ms * interval '1 millisecond', locked_by = token, attempts = t.attempts + 1
    WHERE t.id IN (SELECT r.id FROM ${n.table} r WHERE r.id = ANY(ids) AND ${headAndFree('r')} FOR UPDATE OF r SKIP LOCKED)
    RETURNING t.*;
END
$claim$`;
}

/** Migrations by version: `MIGRATIONS[v - 1]` takes a table from version v - 1 to v. */
function migrations(n: TableNames): string[][] {
  return [
    [
      `CREATE TABLE IF NOT EXISTS ${n.table} (
        id bigserial PRIMARY KEY,
        key text NOT NULL,
        order_key text NOT NULL DEFAULT '',
        payload json NOT NULL,
        enqueued_at timestamptz NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        available_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        locked_by text)`,
      // A key still waiting is stored once (ON CONFLICT DO NOTHING on enqueue).
      `CREATE UNIQUE INDEX IF NOT EXISTS ${index(n, 'key')} ON ${n.table} (key)`,
      // "Is there an older item of this order key?": one index probe per candidate.
      `CREATE INDEX IF NOT EXISTS ${index(n, 'order')} ON ${n.table} (order_key, id)`,
      // "Is an item of this order key in flight?": only claimed rows are in this index.
      `CREATE INDEX IF NOT EXISTS ${index(n, 'leased')} ON ${n.table} (order_key) WHERE locked_until IS NOT NULL`,
      `CREATE TABLE IF NOT EXISTS ${n.dead} (
        id bigint PRIMARY KEY,
        key text NOT NULL,
        order_key text NOT NULL,
        payload json NOT NULL,
        enqueued_at timestamptz NOT NULL,
        attempts integer NOT NULL,
        reason text NOT NULL,
        error jsonb NOT NULL,
        dead_at timestamptz NOT NULL DEFAULT now())`,
      claimFunction(n),
    ],
  ];
}

function index(n: TableNames, suffix: string): string {
  return `"${n.plain.replace('.', '_')}_${suffix}"`;
}

/** A SQL string literal (the names are validated identifiers, so only quotes need care). */
function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * Thrown by `PgOutbox.open` when the table was migrated by a newer steadfast than this one.
 *
 * @example
 * try { await PgOutbox.open(o) } catch (e) { if ((e as Error).name === 'PgOutboxSchemaError') upgradeSteadfast() }
 */
export class PgOutboxSchemaError extends Error {
  override readonly name = 'PgOutboxSchemaError' as const;
  readonly table: string;
  /** The version recorded in `steadfast_schema`. */
  readonly found: number;
  /** The newest version this code knows. */
  readonly supported: number;

  constructor(table: string, found: number, supported: number) {
    super(`steadfast: table ${table} has schema version ${found}, newer than this steadfast supports (${supported}); upgrade steadfast`);
    this.table = table;
    this.found = found;
    this.supported = supported;
  }
}

/**
 * @internal Creates or migrates the outbox's tables to {@link SCHEMA_VERSION}, in one transaction
 * under the migration lock. Returns the version found before.
 */
export async function migrate(pool: PgPool, n: TableNames): Promise<number> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    try {
      await client.query(`SELECT ${MIGRATION_LOCK}`);
      await client.query('CREATE TABLE IF NOT EXISTS steadfast_schema (table_name text PRIMARY KEY, version integer NOT NULL, migrated_at timestamptz NOT NULL DEFAULT now())');
      const found = await client.query('SELECT version FROM steadfast_schema WHERE table_name = $1', [n.plain]);
      const version = Number(found.rows[0]?.['version'] ?? 0);
      if (version > SCHEMA_VERSION) throw new PgOutboxSchemaError(n.plain, version, SCHEMA_VERSION);
      for (const step of migrations(n).slice(version)) for (const sql of step) await client.query(sql);
      await client.query(
        'INSERT INTO steadfast_schema (table_name, version) VALUES ($1, $2) ON CONFLICT (table_name) DO UPDATE SET version = EXCLUDED.version, migrated_at = now()',
        [n.plain, SCHEMA_VERSION],
      );
      await client.query('COMMIT');
      return version;
    } catch (error) {
      await client.query('ROLLBACK').catch((e: unknown) => (broken = e instanceof Error ? e : new Error(String(e))));
      throw error;
    }
  } finally {
    client.release(broken ?? false);
  }
}
