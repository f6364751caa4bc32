import type { Output } from './render/output.ts';
import type { Interrupts } from './signals.ts';

/** What every command handler gets besides its own options. */
export interface CliContext {
  out: Output;
  interrupts: Interrupts;
  env: NodeJS.ProcessEnv;
}
