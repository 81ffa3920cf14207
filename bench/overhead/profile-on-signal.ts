/**
 * Preloaded (`node --require`) into the agent and the gateway by `agent-overhead --profile DIR`:
 * SIGUSR2 starts V8's CPU profiler, the next SIGUSR2 stops it and writes
 * DIR/COMMAND-PID-TIME.cpuprofile (COMMAND: `agent` or `gateway`), DIR from PXGATE_PROFILE_DIR. `--cpu-prof` would profile the whole
 * process instead, and its sampling signals interrupt the BPF verifier while the agent loads
 * (EAGAIN each time), so the agent would never start tracing.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.PXGATE_PROFILE_DIR ?? '.';
/** pxgate's subcommand: node, bin/pxgate.js, then the command. */
const name = process.argv[2] ?? 'node';
const session = new Session();
session.connect();
let running = false;

process.on('SIGUSR2', () => {
  if (!running) {
    running = true;
    session.post('Profiler.enable', () => session.post('Profiler.start'));
    return;
  }
  running = false;
  session.post('Profiler.stop', (err, result) => {
    if (err) throw err;
    const file = join(dir, `${name}-${process.pid}-${Date.now()}.cpuprofile`);
    writeFileSync(file, JSON.stringify(result.profile));
  });
});
