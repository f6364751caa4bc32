import { spawnSync } from 'node:child_process';
import os from 'node:os';

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  java: string;
  kcat: string;
}

export function machineInfo(): MachineInfo {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    java: outputLine('java', ['-version'], /version/),
    kcat: outputLine('kcat', ['-V'], /^Version/).replace(/ builtin\.features=.*\)/, ')'),
  };
}

/** The first line a command prints (to stdout or stderr: java -version uses stderr) that matches. */
function outputLine(command: string, args: string[], pattern: RegExp): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error) return 'not installed';
  return (
    `${result.stdout}${result.stderr}`
      .split('\n')
      .find((line) => pattern.test(line))
      ?.trim() ?? 'unknown'
  );
}
