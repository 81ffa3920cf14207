import type { BundledScript } from '@pxgate/scripts';

export const SCRIPTS_DIR: string;
export function readCatalog(dir: string): BundledScript[];
export function docstringOf(script: string): string;
