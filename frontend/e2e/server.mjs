// Starts `cognitrack serve --demo` on a free port and mints tokens for it.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const STARTUP_TIMEOUT_MS = 180_000;

/**
 * Resolves once the server prints its address; rejects if it exits first.
 * The demo database, and any file the server writes to its working
 * folder (such as its key file), go to a temporary folder removed by `stop`.
 */
export async function startServer({ bin }) {
  const secret = randomBytes(32).toString('hex');
  const tmp = mkdtempSync(join(tmpdir(), 'cognitrack-e2e-'));
  // No dashboard folder: the binary serves the dashboard built into it.
  const { COGNITRACK_FRONTEND_DIR: _unused, ...inherited } = process.env;
  const env = { ...inherited, COGNITRACK_JWT_SECRET: secret, TMPDIR: tmp };
  const child = spawn(bin, ['serve', '--demo', '--addr', '127.0.0.1:0'], { cwd: tmp, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });

  const baseUrl = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line within ${STARTUP_TIMEOUT_MS} ms\n${stderr}`)), STARTUP_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening\n${stderr}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /^CogniTrack listening on (http:\/\/\S+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });

  const mint = (role, sub, withSecret = secret) =>
    execFileSync(bin, ['token', '--role', role, '--sub', sub], {
      env: { ...process.env, COGNITRACK_JWT_SECRET: withSecret },
      encoding: 'utf8',
    }).trim();

  async function stop() {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(tmp, { recursive: true, force: true });
  }
  // Never leave the server behind, even when the runner exits abruptly.
  process.once('exit', () => child.exitCode === null && child.kill('SIGKILL'));

  return {
    baseUrl,
    stop,
    adminToken: mint('admin', 'e2e-admin'),
    viewerToken: mint('viewer', 'e2e-viewer'),
    /** Well-formed, but signed with another secret: the server must refuse it. */
    forgedToken: mint('admin', 'intruder', randomBytes(32).toString('hex')),
  };
}

/** Asks the API directly, to compare the UI with. */
export async function graphql(baseUrl, token, query, variables = {}) {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(`GraphQL: ${JSON.stringify(body.errors)}`);
  return body.data;
}
