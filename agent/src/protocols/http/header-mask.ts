/** Headers that carry credentials, masked unless the operator keeps them. */
export const SENSITIVE_HEADERS: readonly string[] = [
  'authorization',
  'cookie',
  'set-cookie',
  'proxy-authorization',
];

/** What a masked header's value becomes in http_events (Pixie's redaction marks look alike). */
export const MASKED_VALUE = '<REDACTED>';

/** The agent's http settings that decide masking. */
export interface MaskSettings {
  readonly maskHeaders: readonly string[];
  readonly keepSensitiveHeaders: boolean;
}

const A = 0x41;
const Z = 0x5a;

/**
 * The header names whose values are replaced by MASKED_VALUE before a row leaves the agent,
 * compared case-insensitively. Checking a name allocates nothing: it runs for every header of
 * every exchange.
 */
export class HeaderMask {
  /** The sensitive headers: the default. */
  static readonly DEFAULT = new HeaderMask(SENSITIVE_HEADERS);

  /** Names by length, lower case: most names are rejected by their length alone. */
  private readonly byLength = new Map<number, string[]>();

  constructor(names: Iterable<string>) {
    for (const name of new Set([...names].map((n) => n.toLowerCase()))) {
      const list = this.byLength.get(name.length) ?? [];
      list.push(name);
      this.byLength.set(name.length, list);
    }
  }

  /** The mask of the agent's settings: the sensitive headers (unless kept) and the listed ones. */
  static of(settings: MaskSettings): HeaderMask {
    return new HeaderMask([
      ...(settings.keepSensitiveHeaders ? [] : SENSITIVE_HEADERS),
      ...settings.maskHeaders,
    ]);
  }

  /** True when the name at text[from, to) is masked. */
  masks(text: string, from: number, to: number): boolean {
    const candidates = this.byLength.get(to - from);
    if (!candidates) return false;
    outer: for (const name of candidates) {
      for (let i = 0; i < name.length; i++) {
        let c = text.charCodeAt(from + i);
        if (c >= A && c <= Z) c |= 0x20;
        if (c !== name.charCodeAt(i)) continue outer;
      }
      return true;
    }
    return false;
  }
}
