/**
 * Named instants where the fault suite stops or kills a copier, because no timing from outside
 * can hit them: e.g. between an exactly-once copy's checkpoint record and its commit. Off unless
 * KREROUTE_FAULT_POINT is set, as `<name>@<nth>:<stop|kill>` (`before-commit@3:stop` stops the
 * process with SIGSTOP the third time it reaches `before-commit`).
 */
const spec = /^([a-z-]+)@(\d+):(stop|kill)$/.exec(process.env['KREROUTE_FAULT_POINT'] ?? '');
let reached = 0;

export function faultPoint(name: string): void {
  if (!spec || spec[1] !== name) return;
  reached++;
  if (reached !== Number(spec[2])) return;
  process.stderr.write(`fault point ${name} reached (${reached}): ${spec[3]}\n`);
  process.kill(process.pid, spec[3] === 'stop' ? 'SIGSTOP' : 'SIGKILL');
}
