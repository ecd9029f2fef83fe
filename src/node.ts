// steadfast/node: what needs Node (the file-backed Outbox). Explicit export list, no logic.

// outbox
