/**
 * `px.script_reference` columns to Grafana data links: a cell links to Explore, running the
 * referenced bundled script on the same data source, with the function named after the script
 * and the arguments it takes, filled from the row (`${__data.fields.NAME}`, which Grafana fills
 * when the link is followed).
 */
import type { BundledScript } from '@pxgate/scripts';
import { DataLink } from '@grafana/data';

import { ScriptReference } from '../types/gateway';
import { PxgateQuery, QUERY_VERSION } from '../types/query';

export interface LinkTarget {
  uid: string;
  name: string;
}

/** The parameter names of `def NAME(...)` in a script, or undefined when it defines no such function. */
export function functionParameters(script: string, name: string): string[] | undefined {
  const match = new RegExp(`^def\\s+${name}\\s*\\(([^)]*)\\)`, 'm').exec(script);
  if (!match) return undefined;
  return match[1]!
    .split(',')
    .map((p) => p.trim().split(/[:=\s]/)[0]!)
    .filter(Boolean);
}

/** The Explore link of a script reference, or undefined when the script is not one of the bundled ones. */
export function scriptLink(
  reference: ScriptReference,
  catalog: readonly BundledScript[],
  target: LinkTarget,
): DataLink<PxgateQuery> | undefined {
  const id = reference.script.replace(/^px\//, '');
  const bundled = catalog.find((s) => s.id === id);
  if (!bundled) return undefined;
  const query: PxgateQuery = {
    refId: 'A',
    version: QUERY_VERSION,
    script: bundled.script,
    format: 'table',
  };
  const params = functionParameters(bundled.script, id);
  if (params) {
    query.func = id;
    const args = Object.entries(reference.args).filter(([name]) => params.includes(name));
    if (args.length > 0) {
      query.args = Object.fromEntries(
        args.map(([name, value]) => [
          name,
          typeof value === 'object' ? `\${__data.fields.${value.column}}` : String(value),
        ]),
      );
    }
  }
  return {
    title: `Open ${bundled.name}`,
    url: '',
    internal: { datasourceUid: target.uid, datasourceName: target.name, query },
  };
}
