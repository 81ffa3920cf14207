import { PxgateQuery } from '../types/query';

export type Validation = { valid: true } | { valid: false; error: string };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Checks what can be checked before a query is sent; the gateway checks the script itself. */
export function validateQuery(query: PxgateQuery): Validation {
  if (query.script.trim() === '') return { valid: false, error: 'the query has no PxL script' };
  if (query.func && !IDENTIFIER.test(query.func)) {
    return { valid: false, error: `function name "${query.func}" is not a PxL identifier` };
  }
  for (const name of Object.keys(query.args ?? {})) {
    if (!IDENTIFIER.test(name))
      return { valid: false, error: `argument name "${name}" is not a PxL identifier` };
  }
  if (query.args && Object.keys(query.args).length > 0 && !query.func) {
    return {
      valid: false,
      error: 'arguments need a function to call: set one, or remove the arguments',
    };
  }
  return { valid: true };
}

/** A usable gateway URL, or the reason it is not one. */
export function checkGatewayUrl(url: string | undefined): string | undefined {
  if (!url || url.trim() === '')
    return 'Set the gateway URL (for example http://pxgate-gateway.pxgate.svc:8090).';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL; write it as http://HOST:PORT.`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `"${url}" must start with http:// or https://.`;
  }
  return undefined;
}
