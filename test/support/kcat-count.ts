import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface KcatLine {
  offset: bigint;
  key: string;
  /** Headers as kcat prints them (`%h`): "name=value" each. */
  headers: string[];
}

/**
 * What Debian's kcat (librdkafka) reads from one partition to its end (`-e`): `offsetArgs` says
 * from where and, with `e@<ms>`, to when (e.g. ['-o', '5'] or ['-o', 's@…', '-o', 'e@…']).
 * read_committed unless `readUncommitted`, so aborted records and control records are not there.
 */
export async function kcatRead(
  bootstrap: string,
  topic: string,
  partition: number,
  offsetArgs: string[],
  options: { readUncommitted?: boolean } = {},
): Promise<KcatLine[]> {
  const isolation = options.readUncommitted ? 'read_uncommitted' : 'read_committed';
  const { stdout } = await run(
    'kcat',
    ['-C', '-b', bootstrap, '-t', topic, '-p', String(partition), ...offsetArgs, '-e', '-q', '-X', `isolation.level=${isolation}`, '-f', '%o\t%k\t%h\n'],
    { maxBuffer: 256 * 1024 * 1024, timeout: 120_000 },
  );
  return stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const [offset, key, headers] = line.split('\t');
      return { offset: BigInt(offset!), key: key ?? '', headers: headers ? headers.split(',') : [] };
    });
}
