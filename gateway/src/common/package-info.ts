import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The directory holding pxgate's package.json. Found by walking up from this file, so it is the
 * same whether the code runs from `gateway/src` (tests) or from `dist/gateway/src` (the build).
 */
export const PACKAGE_ROOT: string = findPackageRoot(__dirname);

/** pxgate's version, from package.json: it goes into User-Agent headers and telemetry scopes. */
export const PXGATE_VERSION: string = (
  JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
      if (name === 'pxgate') return dir;
    }
    if (dirname(dir) === dir) throw new Error(`cannot find pxgate's package.json above ${from}`);
  }
}
