// Every option of every public entry refuses a bad value at once (SPEC "Durations", STYLE habit 5):
// a TypeError or RangeError naming the option, before any work starts. `undefined` means the
// default; `null` and every other wrong value are refused; the message names the option and shows
// the value. The entries live in options-fuzz.table.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeValue } from '../../src/core/options.js';
import { ENTRIES, type FuzzEntry } from './options-fuzz.table.js';
import { bad } from './options-fuzz.kinds.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 40);

function withValue(base: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const keys = path.split('.');
  const root = { ...base };
  let at = root;
  for (const key of keys.slice(0, -1)) {
    const inner = at[key];
    at = at[key] = typeof inner === 'object' && inner !== null ? { ...inner } : {};
  }
  at[keys.at(-1) as string] = value;
  return root;
}

/** Calls the entry and returns how it refused (or undefined when it accepted the value). */
async function refusal(entry: FuzzEntry, o: unknown): Promise<unknown> {
  let result: unknown;
  try {
    result = (entry.call as (o: unknown) => unknown)(o);
  } catch (error) {
    return error ?? new Error('threw undefined');
  }
  if (result instanceof Promise) {
    // A check at the call rejects at once; Outbox.open resolves after some file I/O.
    const pending = result.then(
      (value: unknown) => ({ value }),
      (error: unknown) => ({ error }),
    );
    const settled = await Promise.race([pending, new Promise<undefined>((resolve) => setTimeout(resolve, entry.settleMs ?? 100))]);
    if (settled !== undefined && 'error' in settled) return settled.error;
    if (settled === undefined) {
      // Accepted and still running (a wait that never ends): release it whenever it settles.
      void pending.then((s) => ('value' in s ? entry.cleanup?.(s.value) : undefined));
      return undefined;
    }
    result = settled.value;
  }
  await entry.cleanup?.(result);
  return undefined;
}

function expectNamedRefusal(error: unknown, option: string, value: unknown): void {
  const shown = describeValue(value);
  expect(error, `accepted ${shown}`).toBeDefined();
  expect([TypeError, RangeError], `${String(error)} for ${shown}`).toContain((error as Error).constructor);
  expect((error as Error).message, `the message names ${option}`).toContain(option);
  // A compound value may be shown by its bad part (`classify.statuses["503"] ... got "retry"`).
  // A URL is shown without userinfo and query (safeUrl), so a token in it never reaches a log.
  if ((typeof value !== 'object' || value === null) && !/url$/i.test(option)) expect((error as Error).message, 'the message shows the value').toContain(shown);
}

describe.each(ENTRIES.map((e) => [e.entry, e] as const))('%s', (_name, entry) => {
  it.each(Object.keys(entry.options))('refuses a bad %s, naming it', async (path) => {
    const option = path.split('.').at(-1) as string;
    await fc.assert(
      fc.asyncProperty(entry.options[path] as fc.Arbitrary<unknown>, async (value) => {
        expectNamedRefusal(await refusal(entry, withValue(entry.base(), path, value)), option, value);
      }),
      { numRuns: RUNS },
    );
  });

  if (entry.isOptionsArgument !== false) {
    it('refuses an options argument that is not an object (null, 5, "x", [], a function)', async () => {
      await fc.assert(
        fc.asyncProperty(bad.object(), async (value) => {
          const error = await refusal(entry, value);
          expect(error, `accepted ${describeValue(value)}`).toBeDefined();
          expect([TypeError, RangeError]).toContain((error as Error).constructor);
          expect((error as Error).message).toMatch(/options|needs/);
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('accepts its valid base options and undefined for every option (undefined = the default)', async () => {
    let o = entry.base();
    for (const path of Object.keys(entry.options)) if (!(entry.required ?? []).includes(path)) o = withValue(o, path, undefined);
    // Nested option objects stay objects: `retry: { maxRetries: undefined }` is a valid retry.
    expect(await refusal(entry, entry.isOptionsArgument === false ? entry.base() : o)).toBeUndefined();
  });
});
