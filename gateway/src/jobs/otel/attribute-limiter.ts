import { Attributes } from '../../exporters/model/telemetry';

/** The value an attribute takes once its metric has seen as many distinct values as allowed. */
export const OVERFLOW_VALUE = '{other}';

/**
 * Caps the distinct values of chosen attributes per metric (`attribute_limits={'http.route':
 * 200}`), across the runs of a job: the first values seen keep their name, later new ones become
 * `{other}`, so a path full of ids cannot blow up the number of series.
 */
export class AttributeLimiter {
  private readonly seen = new Map<string, Set<string>>();

  apply(metric: string, attrs: Attributes, limits: Readonly<Record<string, number>>): Attributes {
    let out: Record<string, Attributes[string]> | undefined;
    for (const [key, max] of Object.entries(limits)) {
      const value = attrs[key];
      if (value === undefined) continue;
      const id = `${metric}\u0000${key}`;
      let values = this.seen.get(id);
      if (!values) {
        values = new Set();
        this.seen.set(id, values);
      }
      const text = String(value);
      if (values.has(text)) continue;
      if (values.size < max) {
        values.add(text);
        continue;
      }
      out ??= { ...attrs };
      out[key] = OVERFLOW_VALUE;
    }
    return out ?? attrs;
  }
}
