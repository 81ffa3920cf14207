import { unwatchFile, watchFile } from 'node:fs';
import { Logger } from '../../../../shared/common/logger';
import { ClusterObject } from '../objects';
import { readStaticFileSync } from './static-file';

/** Where the static source delivers objects. */
export interface StaticSink {
  /** The file's whole content: objects of the previous load missing from it are gone. */
  replaceStatic(objects: readonly ClusterObject[]): void;
}

/**
 * The static metadata file as a source: read once at start (a bad file stops the gateway with
 * the offending paths), then read again whenever it changes; a bad edit is logged and the last
 * good content stays.
 */
export class StaticFileSource {
  private watching = false;
  private objects = 0;
  private error: string | null = null;

  constructor(
    private readonly path: string,
    private readonly sink: StaticSink,
    private readonly log: Logger,
    private readonly pollMs: number,
  ) {}

  /** Reads the file (throwing on a bad one) and starts following its changes. */
  start(): void {
    const objects = readStaticFileSync(this.path);
    this.sink.replaceStatic(objects);
    this.objects = objects.length;
    this.log.info({ file: this.path, objects: objects.length }, 'loaded static metadata');
    watchFile(this.path, { interval: this.pollMs, persistent: false }, this.reload);
    this.watching = true;
  }

  /** The file, how many objects its last good content held, and why the last read failed. */
  status(): { path: string; objects: number; error: string | null } {
    return { path: this.path, objects: this.objects, error: this.error };
  }

  shutdown(): void {
    if (this.watching) unwatchFile(this.path, this.reload);
    this.watching = false;
  }

  private readonly reload = (): void => {
    try {
      const objects = readStaticFileSync(this.path);
      this.sink.replaceStatic(objects);
      this.objects = objects.length;
      this.error = null;
      this.log.info({ file: this.path, objects: objects.length }, 'reloaded static metadata');
    } catch (err) {
      this.error = (err as Error).message;
      this.log.error(
        { file: this.path, err: (err as Error).message },
        'static metadata file not reloaded; keeping the last good content',
      );
    }
  };
}
