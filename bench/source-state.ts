import { spawnSync } from 'node:child_process';

/** Which kreroute was measured: the commit, and the files under src/ that differ from it. */
export interface SourceState {
  commit: string;
  changedSourceFiles: string[];
}

export function sourceState(repoRoot: string): SourceState {
  const git = (args: string[]) => spawnSync('git', ['-C', repoRoot, ...args], { encoding: 'utf8' });
  const commit = git(['rev-parse', 'HEAD']).stdout?.trim() || 'unknown';
  const status = git(['status', '--porcelain', '--', 'src']).stdout ?? '';
  return {
    commit,
    changedSourceFiles: status
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(3)),
  };
}
