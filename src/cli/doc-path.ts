import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where `docs/<name>` is on this machine, for a message to point at: the docs folder of the checkout
 * or of the installed package, found upwards from this module (src/cli/, dist/cli/ or the bundle's
 * dist/bin/). `docs/<name>` as it is when there is none.
 */
export function docPath(name: string, from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const doc = path.join(dir, 'docs', name);
    if (existsSync(doc)) return doc;
    if (path.dirname(dir) === dir) return `docs/${name}`;
  }
}
