import type { CopySummary } from '../copy/copy-plan.ts';
import type { KrerouteError } from '../common/errors.ts';
import type { EventSink } from '../common/events.ts';
import type { Plan } from '../plan/plan.ts';
import type { StageOutcome } from '../reroute/reroute.ts';
import type { VerifyReport } from '../verify/report.ts';

/** How the demo shows what happens; the CLI renders each result as its own commands do. */
export interface DemoReporter {
  step(title: string): void;
  say(line: string): void;
  plan(plan: Plan, planFile: string): void;
  copy(summary: CopySummary, planFile: string): void;
  verify(report: VerifyReport, planFile: string): void;
  /** A refusal the demo expects and explains (purge of a shared range). */
  refusal(error: KrerouteError): void;
  rerouteStage(outcome: StageOutcome, planFile: string): void;
  onEvent: EventSink;
}
