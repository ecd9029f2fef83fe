// steadfast/postgres: the transactional outbox on PostgreSQL (SPEC §13). Takes your `pg` pool; bundles no driver.
export { PgOutbox } from './postgres/outbox.js';
export { PgOutboxSchemaError, SCHEMA_VERSION } from './postgres/schema.js';
export { OutboxStoppedError } from './policies/outbox-item.js';
export type { PgOutboxOptions } from './postgres/options.js';
export type { PgClient, PgNotification, PgPool, PgPoolClient, PgResult } from './postgres/client.js';
export type { JsonValue, OutboxBreaker, OutboxItem, OutboxSend } from './policies/outbox-item.js';
