// steadfast/node: what needs Node (the file-backed Outbox). Explicit export list, no logic.

// outbox
export { Outbox } from './outbox/outbox.js';
export { OutboxFullError, OutboxItemTooLargeError, OutboxLockedError, OutboxStoppedError } from './outbox/options.js';
export type { JsonValue, OutboxItem, OutboxOptions, OutboxSend, OutboxBreaker } from './outbox/options.js';
export { OutboxFileError } from './outbox/file.js';
