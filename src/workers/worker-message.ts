import type { CopySummary } from '../copy/copy-plan.ts';
import type { EngineEvent } from '../common/events.ts';

/** One line a worker wrote on stdout (`--json`): an event, its result, or its error. */
export type WorkerMessage =
  | { kind: 'event'; event: EngineEvent }
  | { kind: 'result'; summary: CopySummary }
  | { kind: 'error'; code: string; message: string; hint?: string }
  /** A worker started with --metrics-report: its metrics, as prom-client's getMetricsAsJSON() gives them. */
  | { kind: 'metrics'; snapshot: unknown }
  | { kind: 'other'; text: string };

const EVENT_TYPES = new Set(['stage', 'progress', 'info', 'warning', 'retry']);

export function parseWorkerLine(line: string): WorkerMessage {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { kind: 'other', text: line };
  }
  if (typeof value !== 'object' || value === null) return { kind: 'other', text: line };
  const object = value as Record<string, unknown>;
  if (object['type'] === 'result' && object['kind'] === 'copy' && typeof object['summary'] === 'object' && object['summary'] !== null) {
    return { kind: 'result', summary: object['summary'] as CopySummary };
  }
  if (object['type'] === 'metrics') return { kind: 'metrics', snapshot: object['metrics'] };
  if (object['type'] === 'error') {
    return {
      kind: 'error',
      code: String(object['code'] ?? 'INTERNAL'),
      message: String(object['message'] ?? ''),
      ...(typeof object['hint'] === 'string' ? { hint: object['hint'] } : {}),
    };
  }
  if (typeof object['type'] === 'string' && EVENT_TYPES.has(object['type'])) return { kind: 'event', event: object as unknown as EngineEvent };
  return { kind: 'other', text: line };
}
