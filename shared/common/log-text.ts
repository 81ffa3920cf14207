/** The level names of pino's numbers, as a text log line shows them. */
const LEVELS: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** Keys every line has, or that the line's head already shows. */
const HEAD_KEYS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name']);

/**
 * One JSON log line (as pino writes it) as a line for people: the local time, the level, the
 * component, the message, then the other fields as `key=value`; an error's stack on the lines
 * after. A line that is not JSON is passed on as it is.
 */
export function textLogLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const time = typeof entry.time === 'number' ? clock(new Date(entry.time)) : '';
  const level = (LEVELS[entry.level as number] ?? String(entry.level)).padEnd(5);
  const fields: string[] = [];
  let stack = '';
  for (const [key, value] of Object.entries(entry)) {
    if (HEAD_KEYS.has(key)) continue;
    if (key === 'err' && value && typeof value === 'object') {
      const err = value as { message?: string; stack?: string };
      fields.push(`err=${quote(err.message ?? JSON.stringify(value))}`);
      if (err.stack) stack = `\n    ${err.stack.split('\n').slice(1).join('\n    ').trim()}`;
      continue;
    }
    fields.push(`${key}=${quote(typeof value === 'string' ? value : JSON.stringify(value))}`);
  }
  const msg = typeof entry.msg === 'string' ? entry.msg : '';
  return `${[time, level, msg, ...fields].filter((s) => s !== '').join(' ')}${stack}\n`;
}

function clock(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const ms = String(d.getMilliseconds()).padStart(3, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${ms}`;
}

function quote(text: string): string {
  return /^[^\s"=]*$/.test(text) && text !== '' ? text : JSON.stringify(text);
}
