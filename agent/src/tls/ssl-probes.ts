/** One function of a TLS library and the programs of bpf/tls_trace.bpf.h placed on it. */
export interface SslProbe {
  readonly symbol: string;
  /** The uprobe at its entry. */
  readonly enter: string;
  /** The return probe, when the call's result matters. */
  readonly exit?: string;
  /** A file without it is not traced (without SSL_read or SSL_write there is no plaintext). */
  readonly required: boolean;
}

/**
 * OpenSSL's plaintext calls, 1.1.0 to 3.x (the _ex variants since 1.1.1), and SSL_free, which
 * tells the kernel side that an SSL object's address is free for another connection. BoringSSL
 * exports the same names, but is linked without symbols where it is used (Chrome, grpc's wheels).
 */
export const SSL_PROBES: readonly SslProbe[] = [
  { symbol: 'SSL_read', enter: 'px_ssl_read_enter', exit: 'px_ssl_exit', required: true },
  { symbol: 'SSL_write', enter: 'px_ssl_write_enter', exit: 'px_ssl_exit', required: true },
  { symbol: 'SSL_read_ex', enter: 'px_ssl_read_ex_enter', exit: 'px_ssl_exit', required: false },
  { symbol: 'SSL_write_ex', enter: 'px_ssl_write_ex_enter', exit: 'px_ssl_exit', required: false },
  { symbol: 'SSL_free', enter: 'px_ssl_free_enter', required: false },
];
