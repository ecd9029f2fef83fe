/**
 * The outbox's statements on one table: enqueue, claim, acknowledge, retry later, dead-letter.
 * Row times (`available_at`, `locked_until`) use the database's `now()`, the one clock every
 * worker on every machine shares.
 */
import type { JsonValue, OutboxItem } from '../policies/outbox-item.js';
import type { TableNames } from './options.js';

/** @internal A claimed row. */
export interface ClaimedRow {
  id: string;
  key: string;
  orderKey: string;
  payload: JsonValue;
  enqueuedAt: number;
  /** Attempts including the one this claim starts. */
  attempts: number;
}

const ITEM_COLUMNS = "key, payload, (extract(epoch FROM enqueued_at) * 1000)::float8 AS enqueued_ms, attempts";

/** @internal The SQL text of one outbox, built once at open. */
export interface Statements {
  /** $1 key, $2 order key, $3 payload JSON, $4 enqueued at (epoch ms), $5 channel. Returns `id` if inserted, and notifies at commit. */
  insertAndNotify: string;
  /** The same without the NOTIFY (and without $5). */
  insert: string;
  /** $1 key: the waiting item. */
  byKey: string;
  /** $1 how many, $2 lease ms, $3 token. */
  claim: string;
  /** $1 ids, $2 their claim tokens (one statement for every acknowledgement that piled up). */
  ack: string;
  /** $1 id, $2 token, $3 delay ms. */
  retry: string;
  /** $1 id, $2 token, $3 reason, $4 error summary JSON. */
  dead: string;
  /** $1 tokens, $2 lease ms. */
  renew: string;
  count: string;
  /** $1 highest id: items left at or below it. */
  countUpTo: string;
  maxId: string;
}

/** @internal */
export function statements(n: TableNames): Statements {
  const insert = `INSERT INTO ${n.table} (key, order_key, payload, enqueued_at) VALUES ($1, $2, $3::json, to_timestamp($4::float8 / 1000))
      ON CONFLICT (key) DO NOTHING RETURNING id::text AS id`;
  return {
    insertAndNotify: `WITH ins AS (${insert}) SELECT id, pg_notify($5, '') FROM ins`,
    insert,
    byKey: `SELECT ${ITEM_COLUMNS} FROM ${n.table} WHERE key = $1`,
    claim: `SELECT id::text AS id, order_key, ${ITEM_COLUMNS} FROM ${n.claim}($1, $2, $3)`,
    ack: `DELETE FROM ${n.table} t USING unnest($1::bigint[], $2::text[]) AS a(id, token) WHERE t.id = a.id AND t.locked_by = a.token`,
    retry: `UPDATE ${n.table} SET locked_until = NULL, locked_by = NULL, available_at = now() + $3 * interval '1 millisecond' WHERE id = $1 AND locked_by = $2`,
    dead: `WITH d AS (DELETE FROM ${n.table} WHERE id = $1 AND locked_by = $2 RETURNING *)
      INSERT INTO ${n.dead} (id, key, order_key, payload, enqueued_at, attempts, reason, error)
      SELECT id, key, order_key, payload, enqueued_at, attempts, $3, $4::jsonb FROM d`,
    renew: `UPDATE ${n.table} SET locked_until = now() + $2 * interval '1 millisecond' WHERE locked_by = ANY($1)`,
    count: `SELECT count(*)::float8 AS n FROM ${n.table}`,
    countUpTo: `SELECT count(*)::float8 AS n FROM ${n.table} WHERE id <= $1`,
    maxId: `SELECT max(id)::text AS id FROM ${n.table}`,
  };
}

/** @internal The item a row describes. */
export function toItem(row: Record<string, unknown>): OutboxItem {
  return { key: row['key'] as string, payload: row['payload'] as JsonValue, enqueuedAt: Number(row['enqueued_ms']), attempts: Number(row['attempts']) };
}

/** @internal A claimed row, typed. */
export function toClaimed(row: Record<string, unknown>): ClaimedRow {
  return { ...toItem(row), id: row['id'] as string, orderKey: row['order_key'] as string };
}
