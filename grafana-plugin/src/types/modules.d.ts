/** The bundled PxL scripts of `scripts/px/`, serialised at build time (see .config/scripts/). */
declare module '@pxgate/scripts' {
  /** One bundled script, as the query editor's picker offers it. */
  export interface BundledScript {
    /** Path under `scripts/px/` without `.pxl`, e.g. `http_data`. */
    id: string;
    /** The first line of the script's docstring (its id when it has none). */
    name: string;
    /** The docstring's first paragraph after the title. */
    description: string;
    script: string;
  }

  const scripts: BundledScript[];
  export default scripts;
}

/** The protocol's `.proto` files, bundled as text (esbuild's text loader; a jest transform). */
declare module '*.proto' {
  const text: string;
  export default text;
}
