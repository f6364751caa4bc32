import { type FileHandle, open, stat } from 'node:fs/promises';

/** Size of the file now, or 0 if it does not exist yet: where to start looking for new lines. */
export async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

/** The text of file from byte offset `from` on ("" when missing). */
export async function readFrom(file: string, from: number): Promise<string> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = (await handle.stat()).size;
    if (size <= from) return '';
    const buffer = Buffer.alloc(size - from);
    await handle.read(buffer, 0, buffer.length, from);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

/** The last `count` lines of the file, for error messages. */
export async function tailLines(file: string, count = 25): Promise<string> {
  const size = await fileSize(file);
  const text = await readFrom(file, Math.max(0, size - 64 * 1024));
  return text.trimEnd().split('\n').slice(-count).join('\n');
}
