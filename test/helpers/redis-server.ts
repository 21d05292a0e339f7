// A real redis-server for tests: started on a free loopback port (never the system's 6379) with a random
// password, no persistence, in a temp directory; optionally TLS-only with a throwaway CA. Without
// redis-server a developer's run skips with a one-line notice; in CI (CI set) it fails, because .ci/run
// installs redis-server and a silent skip would hide a broken backend.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';

export const REDIS_SERVER = process.env['KISD_REDIS_SERVER'] ?? 'redis-server';

function found(cmd: string): boolean {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}

let availability: boolean | undefined;
/** Whether redis-server can run here (cached). */
export function redisServerInstalled(): boolean {
  availability ??= found(REDIS_SERVER);
  return availability;
}

/**
 * `describe` for suites that need a real redis-server: runs them when it is installed; otherwise fails in CI
 * (one test naming what to install) and skips elsewhere with a one-line notice.
 */
export function describeWithRedis(name: string, fn: () => void): void {
  if (redisServerInstalled()) {
    describe(name, fn);
  } else if (process.env['CI']) {
    describe(name, () => {
      it('needs redis-server in CI', () => {
        throw new Error(`${REDIS_SERVER} is not installed on this CI machine (.ci/run installs it): apt-get install -y redis-server`);
      });
    });
  } else {
    console.warn(`${name}: skipped, redis-server not found (install it: sudo apt-get install -y redis-server)`);
    describe.skip(name, fn);
  }
}

export interface TestRedis {
  /** redis://:<password>@127.0.0.1:<port> (rediss:// with tls). */
  url: string;
  /** The same URL without the password (pass the password through KISD_REDIS_PASSWORD). */
  urlWithoutPassword: string;
  password: string;
  port: number;
  /** The CA that signed the server certificate (tls only). */
  caFile?: string;
  /** Stops the server (SIGTERM, or SIGKILL with { kill: true }); its data is gone (no persistence). */
  stop(opts?: { kill?: boolean }): Promise<void>;
  /** Starts it again on the same port and password (empty, as after a crash without persistence). */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function makeCerts(dir: string): { ca: string; cert: string; key: string } {
  const f = (n: string): string => join(dir, n);
  const run = (args: string[]): void => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=kisd test CA', '-keyout', f('ca.key'), '-out', f('ca.pem')]);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', f('server.key'), '-out', f('server.csr')]);
  const ext = f('san.cnf');
  spawnSync('sh', ['-c', `printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > ${ext}`]);
  run(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', f('server.pem')]);
  return { ca: f('ca.pem'), cert: f('server.pem'), key: f('server.key') };
}

/**
 * Starts redis-server on 127.0.0.1:<free port> with `--requirepass <random>`, `--save ''`, `--appendonly no`,
 * in a temp directory. Resolves once it accepts connections; rejects with its output when it cannot start.
 */
export async function startRedisServer(opts: { tls?: boolean } = {}): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'kisd-redis-'));
  const password = randomBytes(12).toString('hex');
  const certs = opts.tls ? makeCerts(dir) : undefined;
  let port = await freePort();
  let child: ChildProcess | undefined;

  async function launch(): Promise<void> {
    const args = ['--bind', '127.0.0.1', '--requirepass', password, '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'notice'];
    if (certs) args.push('--port', '0', '--tls-port', String(port), '--tls-cert-file', certs.cert, '--tls-key-file', certs.key, '--tls-ca-cert-file', certs.ca, '--tls-auth-clients', 'no');
    else args.push('--port', String(port));
    const p = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(p);
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (b: Buffer): void => {
        output += b.toString();
        if (output.includes('Ready to accept connections')) {
          p.stdout?.off('data', onData);
          p.stdout?.resume();
          resolve();
        }
      };
      p.stdout?.on('data', onData);
      p.stderr?.on('data', (b: Buffer) => (output += b.toString()));
      p.once('error', (err) => reject(new Error(`cannot run ${REDIS_SERVER}: ${err.message}`)));
      p.once('exit', (code) => reject(new Error(`${REDIS_SERVER} exited (${code}) before it was ready:\n${output.slice(-2000)}`)));
    });
    p.once('exit', () => running.delete(p));
    child = p;
  }

  async function stop(o: { kill?: boolean } = {}): Promise<void> {
    const p = child;
    child = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill(o.kill ? 'SIGKILL' : 'SIGTERM');
    });
  }

  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (err) {
      // Another process took the port between freePort() and the bind: try another.
      if (attempt >= 3 || !String((err as Error).message).includes('in use')) throw err;
      port = await freePort();
    }
  }
  const scheme = certs ? 'rediss' : 'redis';
  return {
    url: `${scheme}://:${password}@127.0.0.1:${port}`,
    urlWithoutPassword: `${scheme}://127.0.0.1:${port}`,
    password,
    port,
    ...(certs ? { caFile: certs.ca } : {}),
    stop,
    async restart() {
      await stop();
      await launch();
    },
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
