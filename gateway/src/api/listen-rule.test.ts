import { listenRule } from './listen-rule';

const base = { listen: '0.0.0.0:8090', loopback: false, tokens: false, tls: false };

describe('listenRule', () => {
  it('lets loopback listen with nothing', () => {
    expect(listenRule({ ...base, loopback: true, insecureListen: false })).toEqual({
      allowed: true,
      message: '',
    });
  });

  it('refuses any other address without TLS and a token, naming what is missing and how to set it', () => {
    expect(listenRule({ ...base, insecureListen: false })).toEqual({
      allowed: false,
      message:
        'refusing to listen on 0.0.0.0:8090 without TLS and without an auth token: set tls.certFile and tls.keyFile (--tls-cert-file, --tls-key-file) and auth.tokens or auth.token (PXGATE_AUTH_TOKEN); or listen on loopback (127.0.0.1); or pass --insecure-listen (insecureListen: true) to allow it knowingly',
    });
    expect(listenRule({ ...base, tokens: true, insecureListen: false }).message).toMatch(
      /^refusing to listen on 0\.0\.0\.0:8090 without TLS: set tls\.certFile and tls\.keyFile/,
    );
    expect(listenRule({ ...base, tls: true, insecureListen: false }).message).toMatch(
      /^refusing to listen on 0\.0\.0\.0:8090 without an auth token: set auth\.tokens or auth\.token/,
    );
    expect(listenRule({ ...base, tls: true, tokens: true, insecureListen: false })).toEqual({
      allowed: true,
      message: '',
    });
  });

  it('allows it with insecureListen, with a warning that names the risk', () => {
    expect(listenRule({ ...base, tokens: true, insecureListen: true })).toEqual({
      allowed: true,
      message:
        'listening on 0.0.0.0:8090 without TLS, as insecureListen allows: tokens and every request body cross the network in clear',
    });
  });
});
