import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resolver } from 'node:dns/promises';
import { freePort } from './prometheus';
import { ServerProcess, binaryUnavailable, startServerProcess } from './server-process';

const DNSMASQ = process.env.DNSMASQ_BIN ?? '/usr/sbin/dnsmasq';
/** Debian's dig (dnsutils). */
export const DIG = process.env.DIG_BIN ?? '/usr/bin/dig';

/** Why Debian's dnsmasq and dig cannot run here, or undefined when they can. */
export function dnsmasqUnavailable(): string | undefined {
  return binaryUnavailable(DNSMASQ, 'dnsmasq') ?? binaryUnavailable(DIG, 'dnsutils');
}

export interface RunningDnsmasq extends ServerProcess {
  /** The UDP and TCP port it answers on. */
  readonly port: number;
}

/**
 * Debian's dnsmasq for a test, on a free loopback port (UDP and TCP), answering for `.test` only
 * from a hosts file of `hosts` lines (reverse lookups included) and dnsmasq options
 * (`cname=...`, `mx-host=...`) in `extra`; other names there are NXDOMAIN. Nothing is forwarded.
 * (Its authoritative mode would add SOA and NS records, but answers neither CNAMEs nor a second
 * query on a TCP connection.)
 */
export async function startDnsmasq(hosts: string[], extra: string[] = []): Promise<RunningDnsmasq> {
  const port = await freePort();
  const server = await startServerProcess({
    name: 'dnsmasq',
    bin: DNSMASQ,
    args: (dir) => {
      writeFileSync(join(dir, 'hosts'), `${hosts.join('\n')}\n`);
      return [
        '--no-daemon',
        `--port=${port}`,
        '--listen-address=127.0.0.1',
        '--bind-interfaces',
        '--no-resolv',
        '--no-hosts',
        `--addn-hosts=${join(dir, 'hosts')}`,
        '--local=/test/',
        // As root, dnsmasq would drop to the user nobody, who cannot read the hosts file here.
        ...(process.getuid?.() === 0 ? ['--user=root'] : []),
        `--pid-file=${join(dir, 'pid')}`,
        ...extra.map((o) => `--${o}`),
      ];
    },
    ready: async () => {
      const r = new Resolver({ timeout: 500, tries: 1 });
      r.setServers([`127.0.0.1:${port}`]);
      return (await r.resolve4(hosts[0]!.split(/\s+/)[1]!)).length > 0;
    },
  });
  return { ...server, port };
}
