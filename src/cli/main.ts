#!/usr/bin/env node
/**
 * The `steadfast` command: `schedule` prints the delays of a backoff, `simulate` runs a fleet of
 * agents (poll around a ResilientClient) through an outage. `main` is pure apart from the `io` it is given, so tests call it
 * directly; the bottom of this file wires it to the process.
 */
import { realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from './args.js';
import { runSchedule, type CliIo } from './schedule.js';
import { fleetPresets, presetLines, runSimulate } from './simulate.js';

export type { CliIo } from './schedule.js';

const HELP = `steadfast: resilience for agents and daemons

Usage:
  steadfast schedule [backoff flags] [--retries 10] [--seed 1] [--json]
  steadfast simulate [fleet flags] [--policy NAME[,NAME...] | backoff flags] [--compare] [--svg FILE] [--json]
  steadfast help [schedule|simulate]

Backoff flags (schedule, and simulate's custom policy):
  --kind exponential|linear|constant|schedule   default exponential (schedule when --list is given)
  --initial 1s        first delay (the delay itself for constant)
  --max 30s           largest delay (exponential, linear)
  --multiplier 2      growth factor, >= 1 (exponential)
  --step 1s           increment (linear)
  --list 4s,8s,16s    explicit delays (schedule); --repeat-last repeats the last one forever
  --jitter none|full|equal|decorrelated|<fraction>   default: the library's (full for exponential)

schedule:
  --retries 10        rows to print
  --seed 1            seed of the jittered sample

simulate (seeded, deterministic; t = 0 is the start of the outage):
  --agents 10000      fleet size
  --interval 30s      poll's interval after a success
  --interval-jitter F ± fraction on the interval (default: pollDefaults.jitter)
  --outage 60s        how long the server is down
  --capacity 1000     requests per second the server accepts once up (the rest get 503)
  --overload 503|retry-after   refuse overload with a bare 503, or with a Retry-After spread over the backlog
  --failures spread|simultaneous   each agent fails at its own next check-in, or all at once (a restart)
  --horizon 20m       simulated time
  --seed 1
  --policy NAMES      presets: ${'{presets}'}
  --budget R,M,W      the client's RetryBudget: ratio, minPerSecond, window (e.g. 0.2,0.05,1m)
  --compare           every preset side by side
  --svg FILE          draw offered load per second, one line per policy, with the capacity line

Presets (--policy, --compare): each agent runs poll around a ResilientClient; backoff flags set poll's backoff.
{presetLines}

Exit codes: 0 ok, 2 bad command line, 1 unexpected error.
`;

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the exit code.
 *
 * @example
 * const out: string[] = [];
 * const code = await main(['schedule', '--initial', '5s', '--max', '60s', '--jitter', 'none'], { stdout: { write: (s) => out.push(s) }, stderr: process.stderr });
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined) {
      io.stderr.write(help());
      return 2;
    }
    if (command === 'help' || command === '--help' || command === '-h') {
      io.stdout.write(help());
      return 0;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(help());
      return 0;
    }
    if (command === 'schedule') return runSchedule(rest, io);
    if (command === 'simulate') return await runSimulate(rest, io);
    throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`steadfast: ${error.message}\nRun 'steadfast --help' for usage.\n`);
      return 2;
    }
    io.stderr.write(`steadfast: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

function help(): string {
  return HELP.replace('{presets}', Object.keys(fleetPresets).join(', ')).replace('{presetLines}', presetLines('  '));
}

const nodeIo: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  writeFile: (path, text) => writeFileSync(path, text),
};

// Run only as the program itself (bin, tsx), not when a test imports main.
if (isEntry()) void main(process.argv.slice(2), nodeIo).then((code) => (process.exitCode = code));

function isEntry(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
