import { randomBytes } from 'node:crypto';
import { ebpfUnavailable } from '../support/ebpf';
import { resp } from '../support/redis-client';
import { REDIS_CLI, RunningRedis, redisUnavailable, startRedis } from '../support/redis-server';
import { describeIfAvailable } from '../support/system';
import { Row, TracedGateway, runTraced } from '../support/traced-gateway';

const COLUMNS = ['req_cmd', 'req_args', 'resp', 'latency', 'remote_port', 'local_port'];

describeIfAvailable(
  'the agent traces Redis, end to end on the real kernel',
  ebpfUnavailable() ?? redisUnavailable(),
  () => {
    let px: TracedGateway;
    let redis: RunningRedis;

    beforeAll(async () => {
      px = await TracedGateway.start();
      redis = await startRedis();
    }, 90000);

    afterAll(async () => {
      await redis?.close();
      expect(await px?.stop()).toBe(0);
    });

    it('records each redis-cli command once per side, an error and a pipeline included, with arguments masked', async () => {
      const k = `e2e:${randomBytes(4).toString('hex')}`;
      // [command line, req_cmd, resp] in the order sent; values are masked by default.
      const commands: [string, string, string][] = [
        [`SET ${k}:s hello`, 'SET', 'OK'],
        [`GET ${k}:s`, 'GET', 'hello'],
        [`INCR ${k}:n`, 'INCR', '1'],
        [`HSET ${k}:h field value`, 'HSET', '1'],
        [`RPUSH ${k}:l a b c`, 'RPUSH', '3'],
        [`LRANGE ${k}:l 0 -1`, 'LRANGE', '["a","b","c"]'],
        [`INCR ${k}:s`, 'INCR', '-ERR value is not an integer or out of range'],
        [`DEL ${k}:s ${k}:n`, 'DEL', '2'],
      ];
      // One redis-cli per command: given its command as arguments, it sends that alone (reading
      // commands from stdin, it would first ask for the command docs, a reply of ~300 KB).
      const cliPids: number[] = [];
      for (const [line] of commands) {
        const cli = await runTraced(REDIS_CLI, ['-p', String(redis.port), ...line.split(' ')]);
        cliPids.push(cli.pid);
      }
      // A pipeline: three commands in one write (redis-cli --pipe also sends an ECHO, whose
      // reply it does not count).
      const pipelined = [
        resp('SET', `${k}:p`, 'x'),
        resp('APPEND', `${k}:p`, 'yz'),
        resp('GET', `${k}:p`),
      ];
      const pipe = await runTraced(REDIS_CLI, ['-p', String(redis.port), '--pipe'], {
        input: pipelined.join(''),
      });
      expect(pipe.stdout).toMatch(/errors: 0, replies: 3/);

      const fromCli: Row[] = [];
      for (const pid of cliPids) {
        fromCli.push(...(await px.waitForRows('redis_events', { pid }, 1, COLUMNS)));
      }
      const fromPipe = await px.waitForRows('redis_events', { pid: pipe.pid }, 4, COLUMNS);
      const clientRows = [...fromCli, ...fromPipe];
      // The server's rows of these clients' connections (the test's own readiness PING aside).
      const clientPorts = new Set(clientRows.map((r) => r.local_port));
      const serverRows = await px.waitForRows(
        'redis_events',
        { pid: redis.pid },
        clientRows.length,
        COLUMNS,
        (r) => clientPorts.has(r.remote_port),
      );

      const expected = [
        ...commands.map(([, cmd, reply]) => [cmd, reply]),
        ['SET', 'OK'],
        ['APPEND', '3'],
        ['GET', 'xyz'],
        ['ECHO', expect.any(String)],
      ];
      const view = (rows: Row[]) => rows.map((r) => [r.req_cmd, r.resp]);
      expect(view(fromCli)).toEqual(expected.slice(0, commands.length));
      expect(view(fromPipe)).toEqual(expected.slice(commands.length));
      expect(serverRows.length).toBe(clientRows.length);
      expect(view(serverRows)).toEqual(expected);
      for (const r of clientRows) {
        expect({ ...r, role: r.trace_role }).toMatchObject({ role: 1, remote_port: redis.port });
        expect(Number(r.latency)).toBeGreaterThan(0);
      }
      for (const r of serverRows) {
        expect({ ...r, role: r.trace_role }).toMatchObject({ role: 2, local_port: redis.port });
        expect(Number(r.latency)).toBeGreaterThan(0);
      }
      // agent.redis.maskArgs is on by default: keys stay, values do not.
      const set = fromCli[0]!;
      expect(String(set.req_args)).toContain(`${k}:s`);
      expect(String(set.req_args)).not.toContain('hello');
    }, 120000);
  },
);
