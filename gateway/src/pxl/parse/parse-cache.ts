import * as A from './ast';
import { parse } from './parse';

/** Scripts whose syntax trees are kept, and the longest script kept. */
const ENTRIES = 128;
const MAX_CHARS = 64 * 1024;

/**
 * The syntax trees of recently run scripts, by their text: dashboards and export jobs run the
 * same scripts again and again, and the tree is immutable. Failures are not kept.
 */
export class ParseCache {
  private readonly trees = new Map<string, A.Module>();

  get(source: string): A.Module {
    const known = this.trees.get(source);
    if (known) {
      this.trees.delete(source);
      this.trees.set(source, known);
      return known;
    }
    const module = parse(source);
    if (source.length > MAX_CHARS) return module;
    this.trees.set(source, module);
    if (this.trees.size > ENTRIES) this.trees.delete(this.trees.keys().next().value as string);
    return module;
  }
}
