import { isLoopbackAddress, parseHostPort, resolveListenHost } from './listen';

describe('listen addresses', () => {
  it('splits HOST:PORT, with IPv6 hosts in brackets', () => {
    expect(parseHostPort('127.0.0.1:8090')).toEqual({ host: '127.0.0.1', port: 8090 });
    expect(parseHostPort('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(() => parseHostPort('8090')).toThrow('"8090" is not HOST:PORT');
  });

  it('knows loopback addresses in every spelling of IPv4, IPv6 and IPv4-mapped IPv6', () => {
    const loopback = ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1'];
    const other = ['0.0.0.0', '::', '10.0.0.1', '::ffff:10.0.0.1', '128.0.0.1', 'localhost'];
    expect(loopback.filter(isLoopbackAddress)).toEqual(loopback);
    expect(other.filter(isLoopbackAddress)).toEqual([]);
  });

  it('resolves listen hosts as the system does, so 127.1 and localhost are loopback', async () => {
    const forms = ['127.1', '127.0.0.1', 'localhost', '::1', '::ffff:127.0.0.1', '2130706433'];
    const resolved = await Promise.all(forms.map(resolveListenHost));
    expect(resolved.map((r) => r.loopback)).toEqual(forms.map(() => true));
    expect(resolved[0]!.address).toBe('127.0.0.1');
    expect(await resolveListenHost('0.0.0.0')).toEqual({ address: '0.0.0.0', loopback: false });
    expect(await resolveListenHost('::')).toEqual({ address: '::', loopback: false });
    await expect(resolveListenHost('no-such-host.invalid')).rejects.toThrow(
      'cannot resolve the listen host "no-such-host.invalid"',
    );
  });
});
