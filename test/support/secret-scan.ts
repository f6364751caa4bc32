// Where a secret could surface after kreroute ran: each collector gathers texts (command output,
// files, records read back) and every text is searched for every secret. A new kind of output
// (e.g. metrics) is covered by adding a collector.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Artifact {
  /** What it is, for the failure message: "copy stdout", "state/checkpoint.json", … */
  what: string;
  text: string;
}

export type ArtifactCollector = () => Promise<Artifact[]>;

/** Every file under `dir` (plan files, state folders), read as bytes-as-text. */
export function filesUnder(dir: string): ArtifactCollector {
  return async () => {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
    return Promise.all(files.map(async (file) => ({ what: file, text: (await readFile(file)).toString('latin1') })));
  };
}

/** Secrets found in any artifact, as "secret-name in what". */
export async function findSecrets(collectors: ArtifactCollector[], secrets: Record<string, string>): Promise<{ found: string[]; artifacts: number }> {
  const artifacts = (await Promise.all(collectors.map((collect) => collect()))).flat();
  const found: string[] = [];
  for (const artifact of artifacts) {
    for (const [name, secret] of Object.entries(secrets)) {
      if (artifact.text.includes(secret)) found.push(`${name} in ${artifact.what}`);
    }
  }
  return { found, artifacts: artifacts.length };
}
