import { execFileSync } from 'node:child_process';

/**
 * The simulated machines: the brokers in one network namespace holding a bridge, and every worker
 * in a namespace of its own, joined to the bridge by a veth pair whose two ends are each capped
 * with tc (tbf): the worker's end shapes what it sends (produce requests), the bridge's end what
 * it receives (fetch responses). Every name starts with `krs-scale-`/`ks`, so a run can remove
 * what an earlier, killed run left behind, and nothing else.
 */
export interface ScaleNetwork {
  brokersNs: string;
  /** The bridge's address in the brokers' namespace: where the brokers are advertised. */
  brokersHost: string;
  workers: WorkerLink[];
  rateMbit: number;
}

export interface WorkerLink {
  ns: string;
  ip: string;
  /** The veth end inside the worker's namespace, and its peer on the bridge. */
  device: string;
  bridgePort: string;
}

const SUBNET = '10.77.0';
const BRIDGE = 'ksbr';

export function networkLayout(workerCount: number, rateMbit: number): ScaleNetwork {
  return {
    brokersNs: 'krs-scale-b',
    brokersHost: `${SUBNET}.1`,
    rateMbit,
    workers: Array.from({ length: workerCount }, (_, i) => ({
      ns: `krs-scale-w${i + 1}`,
      ip: `${SUBNET}.${11 + i}`,
      device: `ksw${i + 1}`,
      bridgePort: `ksw${i + 1}b`,
    })),
  };
}

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`${command} ${args.join(' ')} failed${stderr ? `: ${stderr}` : ''}`);
  }
}

/** tbf at `rateMbit`, with a burst of 10 ms at that rate (at least 64 KiB) and at most 50 ms queued. */
function capArgs(rateMbit: number): string[] {
  const burstBytes = Math.max(64 * 1024, Math.round((rateMbit * 1e6) / 8 / 100));
  return ['root', 'tbf', 'rate', `${rateMbit}mbit`, 'burst', String(burstBytes), 'latency', '50ms'];
}

export function setUpNetwork(net: ScaleNetwork): void {
  // What a killed earlier run left is removed; namespaces with processes in them are another run's.
  for (const ns of existingNamespaces(net)) {
    const pids = run('ip', ['netns', 'pids', ns]).trim();
    if (pids)
      throw new Error(
        `network namespace ${ns} is in use (pids ${pids.split('\n').join(', ')}): is another scale test running? Stop it, or remove the namespace with ip netns del ${ns}`,
      );
  }
  tearDownNetwork(net);
  const b = net.brokersNs;
  run('ip', ['netns', 'add', b]);
  run('ip', ['-n', b, 'link', 'set', 'lo', 'up']);
  run('ip', ['-n', b, 'link', 'add', BRIDGE, 'type', 'bridge']);
  run('ip', ['-n', b, 'addr', 'add', `${net.brokersHost}/24`, 'dev', BRIDGE]);
  run('ip', ['-n', b, 'link', 'set', BRIDGE, 'up']);
  for (const w of net.workers) {
    run('ip', ['netns', 'add', w.ns]);
    run('ip', ['-n', w.ns, 'link', 'set', 'lo', 'up']);
    run('ip', ['link', 'add', w.device, 'netns', w.ns, 'type', 'veth', 'peer', 'name', w.bridgePort, 'netns', b]);
    run('ip', ['-n', b, 'link', 'set', w.bridgePort, 'master', BRIDGE, 'up']);
    run('ip', ['-n', w.ns, 'addr', 'add', `${w.ip}/24`, 'dev', w.device]);
    run('ip', ['-n', w.ns, 'link', 'set', w.device, 'up']);
    run('tc', ['-n', w.ns, 'qdisc', 'add', 'dev', w.device, ...capArgs(net.rateMbit)]);
    run('tc', ['-n', b, 'qdisc', 'add', 'dev', w.bridgePort, ...capArgs(net.rateMbit)]);
  }
}

/** Deletes the namespaces (their veths and the bridge go with them). Never throws: it runs on every exit path. */
export function tearDownNetwork(net: ScaleNetwork): string[] {
  const problems: string[] = [];
  for (const ns of existingNamespaces(net)) {
    try {
      run('ip', ['netns', 'del', ns]);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return problems;
}

/** The layout's namespaces that exist now. */
function existingNamespaces(net: ScaleNetwork): string[] {
  let listed: string[];
  try {
    listed = run('ip', ['netns', 'list'])
      .split('\n')
      .map((line) => line.split(' ')[0] ?? '');
  } catch {
    return [];
  }
  return [net.brokersNs, ...net.workers.map((w) => w.ns)].filter((ns) => listed.includes(ns));
}

/** The tc qdisc lines of every capped device: what the run actually had. */
export function describeCaps(net: ScaleNetwork): string[] {
  return net.workers.flatMap((w) => [
    `${w.ns} ${w.device}: ${run('tc', ['-n', w.ns, 'qdisc', 'show', 'dev', w.device]).trim()}`,
    `${net.brokersNs} ${w.bridgePort}: ${run('tc', ['-n', net.brokersNs, 'qdisc', 'show', 'dev', w.bridgePort]).trim()}`,
  ]);
}
