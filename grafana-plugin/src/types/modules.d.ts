/** The bundled PxL scripts of `scripts/px/`, serialised at build time (see .config/scripts/). */
declare module '@pxgate/scripts' {
  /** One bundled script, as the query editor's picker offers it. */
  export interface BundledScript {
    /** The gateway's name of the script without `px/` (its file name without `.pxl`), e.g. `http_data`. */
    id: string;
    /** The first line of the script's docstring (its id when it has none). */
    name: string;
    /** The docstring after the title, on one line, as the gateway's `/v1/scripts` gives it. */
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
