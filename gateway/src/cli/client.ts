/** A small client of the gateway's HTTP API, for the CLI. */
export class GatewayClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined,
  ) {}

  async get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const url = new URL(path, this.baseUrl);
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      const cause =
        (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
      throw new Error(`cannot reach the gateway at ${this.baseUrl}: ${cause}`);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      throw new Error(
        `gateway answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`,
      );
    }
    if (!res.ok) {
      const e = (parsed as { error?: { message?: string; line?: number; column?: number } }).error;
      const where = e?.line !== undefined ? ` (line ${e.line}, column ${e.column})` : '';
      throw new Error(`gateway answered ${res.status}: ${e?.message ?? text}${where}`);
    }
    return parsed as T;
  }
}
