import { Agent, request } from 'node:http';
import { capturingLogger, startTestGateway } from '../support/gateway';
import { httpEvents, httpJson } from '../support/pxl';

interface Answer {
  status: number;
  connection: string | undefined;
}

/**
 * One ingest POST on `agent`'s keep-alive connection. With `whileUnderWay`, the request asks
 * `Expect: 100-continue` and its body is sent only after `whileUnderWay` ran: the gateway has
 * then read the request's head, so the request is under way (its connection is not idle).
 */
function post(url: string, agent: Agent, body: string, whileUnderWay?: () => void) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request(
      `${url}/v1/ingest`,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          ...(whileUnderWay ? { expect: '100-continue' } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }),
        );
      },
    );
    req.on('error', reject);
    if (!whileUnderWay) {
      req.end(body);
      return;
    }
    req.once('continue', () => {
      whileUnderWay();
      req.end(body);
    });
  });
}

describe('gateway connections', () => {
  it('stay open when idle longer than clients keep theirs, and say so', async () => {
    const gw = await startTestGateway();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const body = JSON.stringify({ table: 'http_events', rows: httpJson(httpEvents(1)) });
    const res = await new Promise<{ status?: number; headers: Record<string, unknown> }>(
      (resolve, reject) => {
        const headers = { 'content-type': 'application/json' };
        request(`${gw.url}/v1/ingest`, { method: 'POST', agent, headers }, (r) => {
          r.resume();
          resolve({ status: r.statusCode, headers: r.headers });
        })
          .on('error', reject)
          .end(body);
      },
    );
    agent.destroy();
    await gw.close();
    expect(res.status).toBe(200);
    expect(res.headers['keep-alive']).toBe('timeout=65');
  });
});

describe('gateway shutdown', () => {
  it('finishes while a client keeps sending on its keep-alive connection: the answer under way closes it', async () => {
    // Found by the soak: an agent posting batches back to back on one keep-alive connection
    // held server.close() open for as long as it sent, so SIGTERM did not stop the gateway.
    const { log, lines } = capturingLogger('warn');
    const gw = await startTestGateway({}, log);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const body = JSON.stringify({ table: 'http_events', rows: httpJson(httpEvents(20)) });
    const warmUp = await post(gw.url, agent, body);
    expect(warmUp).toEqual({ status: 200, connection: 'keep-alive' });

    let closing: Promise<void> | undefined;
    const underWay = await post(gw.url, agent, body, () => (closing = gw.close()));
    // The client keeps sending on the same agent, as an agent with batches queued does; a
    // gateway that kept the connection open would answer all of these.
    const after: Answer[] = [];
    let refused: NodeJS.ErrnoException | undefined;
    while (after.length < 50) {
      try {
        after.push(await post(gw.url, agent, body));
      } catch (err) {
        refused = err as NodeJS.ErrnoException;
        break;
      }
    }
    await closing;
    agent.destroy();

    expect(underWay).toEqual({ status: 200, connection: 'close' });
    expect(after).toEqual([]);
    expect(refused?.code).toBe('ECONNREFUSED');
    expect(lines.map((l) => l.msg)).not.toContain(
      'requests still under way at shutdown were cut off',
    );
  });
});
