/** What protects a listener. */
export interface Exposure {
  /** The `listen` setting, for the message. */
  readonly listen: string;
  readonly loopback: boolean;
  readonly tokens: boolean;
  readonly tls: boolean;
  readonly insecureListen: boolean;
}

/** The verdict on a listener: whether it may listen, and what to tell the operator. */
export interface ListenVerdict {
  readonly allowed: boolean;
  /** Empty when nothing is missing; the error (refused) or the warning (insecureListen). */
  readonly message: string;
}

const MISSING = {
  tls: {
    what: 'TLS',
    how: 'tls.certFile and tls.keyFile (--tls-cert-file, --tls-key-file)',
    risk: 'tokens and every request body cross the network in clear',
  },
  tokens: {
    what: 'an auth token',
    how: 'auth.tokens or auth.token (PXGATE_AUTH_TOKEN)',
    risk: 'anyone who reaches the address can read and write every table',
  },
};

/**
 * The rule for listening: loopback needs nothing; any other address needs TLS (the token and
 * every body would otherwise cross the network in clear) and a token, unless the operator says
 * `insecureListen`, in which case the message is a warning naming what is missing.
 */
export function listenRule(e: Exposure): ListenVerdict {
  if (e.loopback) return { allowed: true, message: '' };
  const missing = [...(e.tls ? [] : [MISSING.tls]), ...(e.tokens ? [] : [MISSING.tokens])];
  if (missing.length === 0) return { allowed: true, message: '' };
  const without = `without ${missing.map((m) => m.what).join(' and without ')}`;
  if (e.insecureListen) {
    return {
      allowed: true,
      message: `listening on ${e.listen} ${without}, as insecureListen allows: ${missing.map((m) => m.risk).join('; ')}`,
    };
  }
  return {
    allowed: false,
    message: `refusing to listen on ${e.listen} ${without}: set ${missing.map((m) => m.how).join(' and ')}; or listen on loopback (127.0.0.1); or pass --insecure-listen (insecureListen: true) to allow it knowingly`,
  };
}
