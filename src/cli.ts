#!/usr/bin/env node
// steadfast CLI: `schedule` and `simulate` (issue 6).
