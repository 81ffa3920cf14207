/** The bundled PxL scripts of `scripts/px/`, serialised at build time (see .config/scripts/). */
declare module '@pxgate/scripts' {
  /** One bundled script, as the query editor's picker offers it. */
  export interface BundledScript {
    /** Path under `scripts/px/` without `.pxl`, e.g. `http_data`. */
    id: string;
    name: string;
    /** The first line of the script's docstring. */
    description: string;
    script: string;
  }

  const scripts: BundledScript[];
  export default scripts;
}
