import type { BundledScript } from '@pxgate/scripts';

export const SCRIPTS_DIR: string;
export function readCatalog(dir: string): BundledScript[];
