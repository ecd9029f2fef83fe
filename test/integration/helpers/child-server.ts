/**
 * Runs examples/server.ts as a real child process (node --import tsx), so a test can SIGKILL it
 * and start it again on the same port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('../../../examples/server.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface ChildServer {
  child: ChildProcess;
  port: number;
  kill(): Promise<void>;
}

/** Starts the example server on `port` (0 = any) and resolves once it listens. */
export function startChildServer(port = 0): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER, String(port)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const match = /listening on (\d+)/.exec(out);
      if (match) {
        resolve({
          child,
          port: Number(match[1]),
          kill: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGKILL');
            }),
        });
      }
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`server exited (${code ?? signal}) before listening: ${err}`)));
  });
}
