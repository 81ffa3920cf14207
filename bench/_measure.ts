import { spawnSync } from 'node:child_process';
import { machine, median } from './_support';

/**
 * The harness of the exporter benchmarks. Each side (ours, the peer) runs in a child process of
 * its own, the two alternating, so that neither pays for the other's garbage: measured here, a
 * round of ours right after one of a peer that leaves a large heap took three times longer.
 * Rounds are timed in CPU time (user + system, GC threads included) and in wall time: the
 * machine is shared and often loaded, and a process waiting for a core does no work.
 */

export interface Round {
  cpuMs: number;
  wallMs: number;
}

export interface Sides {
  /** Builds the input and returns the work of one round. */
  ours(): () => unknown;
  peer(): () => unknown;
  /** A variant of ours shown for comparison (not in the ratio). */
  variant?(): () => unknown;
}

export interface BenchSpec {
  name: string;
  /** Items one round encodes, and what they are. */
  items: number;
  unit: string;
  peerName: string;
  /** Checks once, in the parent, that both sides produce the same thing; says what it checked. */
  check(): Promise<string> | string;
  sides: Sides;
  /** What the variant is, when there is one. */
  variantName?: string;
}

const SIDE_ENV = 'PXGATE_BENCH_SIDE';

/** Whether this process is one side's child (the parent is the one that checks and reports). */
export function isBenchChild(): boolean {
  return process.env[SIDE_ENV] !== undefined;
}
const PAIRS = Number(process.env.PAIRS ?? 5);
const ROUNDS = Number(process.env.ROUNDS ?? 3);

/**
 * Runs a benchmark: in the parent, the check, then PAIRS × (ours, peer) child processes of ROUNDS
 * rounds each (the first round of each child warms up and is not counted); in a child, its side.
 */
export async function bench(spec: BenchSpec): Promise<void> {
  const side = process.env[SIDE_ENV] as keyof Sides | undefined;
  if (side) {
    const work = spec.sides[side]!();
    const rounds: Round[] = [];
    for (let i = 0; i <= ROUNDS; i++) rounds.push(await measure(work));
    process.stdout.write(`${JSON.stringify(rounds.slice(1))}\n`);
    return;
  }
  console.log(`${spec.name}: ${await spec.check()}`);
  const ours: Round[] = [];
  const peer: Round[] = [];
  const variant: Round[] = [];
  for (let pair = 0; pair < PAIRS; pair++) {
    ours.push(...child('ours'));
    peer.push(...child('peer'));
    if (spec.sides.variant) variant.push(...child('variant'));
  }
  report(spec, ours, peer, variant);
}

function child(side: keyof Sides): Round[] {
  const res = spawnSync(process.execPath, ['--expose-gc', process.argv[1]!], {
    env: { ...process.env, [SIDE_ENV]: side },
    encoding: 'utf8',
    maxBuffer: 1024 * 1024,
  });
  if (res.status !== 0) throw new Error(`the ${side} side failed: ${res.stderr}`);
  return JSON.parse(res.stdout.trim().split('\n').pop()!) as Round[];
}

/**
 * Runs `fn` once and measures it, after a full GC and a pause: V8 finishes sweeping on
 * background threads, whose CPU time would otherwise count against the round.
 */
async function measure(fn: () => unknown): Promise<Round> {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const cpu = process.cpuUsage();
  const wall = process.hrtime.bigint();
  await fn();
  const used = process.cpuUsage(cpu);
  return {
    cpuMs: (used.user + used.system) / 1000,
    wallMs: Number(process.hrtime.bigint() - wall) / 1e6,
  };
}

/** `1.23M/s` style rates. */
function rate(items: number, ms: number): string {
  const perSecond = (items / ms) * 1000;
  return perSecond >= 1e6
    ? `${(perSecond / 1e6).toFixed(2)}M/s`
    : `${(perSecond / 1e3).toFixed(0)}k/s`;
}

/** Prints the rounds, then the last line: medians of CPU time, and their ratio. */
function report(spec: BenchSpec, ours: Round[], peer: Round[], variant: Round[]): void {
  const show = (rs: Round[], k: keyof Round) => rs.map((r) => r[k].toFixed(0)).join(' ');
  console.log(
    `${machine()}; ${PAIRS} pairs of child processes, ${ROUNDS} timed rounds each (after one warm-up)`,
  );
  console.log(`  ours CPU ms: ${show(ours, 'cpuMs')} (wall ms: ${show(ours, 'wallMs')})`);
  console.log(`  peer CPU ms: ${show(peer, 'cpuMs')} (wall ms: ${show(peer, 'wallMs')})`);
  if (variant.length > 0) {
    const v = median(variant.map((r) => r.cpuMs));
    console.log(
      `  ${spec.variantName}: ${rate(spec.items, v)} ${spec.unit} (${v.toFixed(0)} ms CPU, median)`,
    );
  }
  const o = median(ours.map((r) => r.cpuMs));
  const p = median(peer.map((r) => r.cpuMs));
  const wallRatio = median(peer.map((r) => r.wallMs)) / median(ours.map((r) => r.wallMs));
  console.log(
    `${spec.name}: ours ${rate(spec.items, o)} ${spec.unit} (${o.toFixed(0)} ms CPU), ` +
      `peer ${spec.peerName} ${rate(spec.items, p)} ${spec.unit} (${p.toFixed(0)} ms CPU), ` +
      `medians of ${ours.length} rounds, wall-time ratio ${wallRatio.toFixed(2)}, ratio ${(p / o).toFixed(2)}`,
  );
}
