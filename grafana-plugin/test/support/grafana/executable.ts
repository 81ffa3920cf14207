/**
 * The backend executable for tests: built from the sources into a temporary folder by the
 * build's own script, run as `npm run build` runs it (in its own Node process), so that a test
 * never runs a stale dist/.
 */
import { execFile } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { promisify } from 'util';

const BUILD_SCRIPT = path.join(__dirname, '..', '..', '..', '.config', 'backend', 'build.js');

/** Builds the executable; returns its path and a cleanup. */
export async function buildTestExecutable(): Promise<{ file: string; remove(): void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pxgate-backend-test-'));
  await promisify(execFile)(process.execPath, [BUILD_SCRIPT, dir]);
  const [name] = fs.readdirSync(dir).filter((f) => f.startsWith('gpx_pxgate_'));
  if (!name) throw new Error(`the build wrote no executable into ${dir}`);
  return {
    file: path.join(dir, name),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
