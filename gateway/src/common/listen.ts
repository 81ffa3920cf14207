/** Splits `HOST:PORT` (IPv6 hosts in brackets) into its parts. */
export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new Error(`"${text}" is not HOST:PORT (e.g. 127.0.0.1:8090)`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}
