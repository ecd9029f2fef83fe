import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// Tests that take the machine's PostgreSQL down (a cluster restart) or load every core (worker
// processes SIGKILLed at random) run after the main suite, one file at a time, so no other test
// ever sees the database disappear under it.
export default defineConfig({
  resolve: base.resolve,
  test: { ...base.test, include: ['test/**/*.serial.test.ts'], exclude: ['node_modules/**'], fileParallelism: false },
});
