import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The agent and the gateway share only the contract module (shared/contract/) and the helpers
 * of shared/common/; the top-level CLI (cli/) wires the two and holds the configuration, which
 * both read (cli/config/). Neither package imports the other's files, and shared/ imports
 * neither package nor the CLI. Tests may also use the helpers of test/support/.
 */
const ROOT = resolve(__dirname, '..', '..');

type Area = 'agent' | 'gateway' | 'shared' | 'cli' | 'cli/config' | 'test/support' | 'other';

function areaOf(path: string): Area {
  const rel = relative(ROOT, path).split('\\').join('/');
  if (rel.startsWith('agent/src/')) return 'agent';
  if (rel.startsWith('gateway/src/')) return 'gateway';
  if (rel.startsWith('shared/')) return 'shared';
  if (rel.startsWith('cli/config/')) return 'cli/config';
  if (rel.startsWith('cli/')) return 'cli';
  if (rel.startsWith('test/support/')) return 'test/support';
  return 'other';
}

/** Which areas a file of each area may import from (besides its own area and packages). */
const ALLOWED: Readonly<Record<Area, readonly Area[]>> = {
  agent: ['shared', 'cli/config'],
  gateway: ['shared', 'cli/config'],
  shared: [],
  'cli/config': ['shared'],
  cli: ['agent', 'gateway', 'shared', 'cli/config'],
  'test/support': ['agent', 'gateway', 'shared', 'cli', 'cli/config', 'other'],
  other: ['agent', 'gateway', 'shared', 'cli', 'cli/config', 'test/support'],
};

const IMPORT =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import of `text` (a file at `path`), resolved, that crosses a boundary. */
export function crossings(path: string, text: string): string[] {
  const from = areaOf(path);
  const found: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const target = resolve(dirname(path), m[2]!);
    const to = areaOf(target);
    // A test may use the helpers of test/support/ (which start gateways, agents and servers).
    if (to === 'test/support' && path.endsWith('.test.ts')) continue;
    // The configuration's tests check what the CLI and the gateway make of it.
    const allowed =
      from === 'cli/config' && path.endsWith('.test.ts') ? [...ALLOWED.cli, 'cli'] : ALLOWED[from];
    if (to !== from && !allowed.includes(to)) {
      found.push(`${relative(ROOT, path)} (${from}) imports ${m[2]} (${to})`);
    }
  }
  return found;
}

describe('import boundaries between the agent, the gateway, shared/ and the CLI', () => {
  // This file is left out: its examples are crossings on purpose.
  const files = ['agent/src', 'gateway/src', 'shared', 'cli']
    .flatMap((d) => sourceFiles(join(ROOT, d)))
    .filter((f) => f !== __filename);

  it('finds the source files of every area', () => {
    for (const area of ['agent', 'gateway', 'shared', 'cli', 'cli/config'] as const) {
      expect(files.some((f) => areaOf(f) === area)).toBe(true);
    }
  });

  it('lets no file import across a boundary except through shared/ and cli/config/', () => {
    const found = files.flatMap((f) => crossings(f, readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
  });

  it('catches a crossing however the import is written', () => {
    const agentFile = join(ROOT, 'agent/src/agent.ts');
    const gatewayFile = join(ROOT, 'gateway/src/gateway.ts');
    const sharedFile = join(ROOT, 'shared/contract/schemas.ts');
    expect(
      crossings(agentFile, "import { Gateway } from '../../gateway/src/gateway';"),
    ).toHaveLength(1);
    expect(crossings(agentFile, "import type { X } from '../../gateway/src/x';")).toHaveLength(1);
    expect(crossings(agentFile, "const m = require('../../gateway/src/x');")).toHaveLength(1);
    expect(crossings(agentFile, "const m = await import('../../gateway/src/x');")).toHaveLength(1);
    expect(crossings(gatewayFile, "import '../../agent/src/agent';")).toHaveLength(1);
    expect(crossings(sharedFile, "import { Config } from '../../cli/config/schema';")).toHaveLength(
      1,
    );
    expect(crossings(gatewayFile, "import { main } from '../../cli/main';")).toHaveLength(1);
    expect(
      crossings(agentFile, "import { HTTP_EVENTS } from '../../shared/contract/schemas';"),
    ).toEqual([]);
    expect(crossings(agentFile, "import { Config } from '../../cli/config/schema';")).toEqual([]);
    expect(crossings(agentFile, "import { wait } from '../../test/support/wait';")).toHaveLength(1);
    const agentTest = join(ROOT, 'agent/src/agent.test.ts');
    expect(crossings(agentTest, "import { wait } from '../../test/support/wait';")).toEqual([]);
  });
});
