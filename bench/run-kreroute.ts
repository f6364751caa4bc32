// Copies a plan through the library, in a process of its own so the benchmark can measure it.
// Usage: node bench/run-kreroute.ts PLAN_FILE SOURCE_BOOTSTRAP DEST_BOOTSTRAP STATE_DIR [--record-mode]
// --record-mode: decode and re-encode every record (passthrough off), even where batches could be forwarded.
import { copyPlan, readPlanFile } from '../src/index.ts';

const [planFile, source, destination, stateDir, mode] = process.argv.slice(2);
if (!planFile || !source || !destination || !stateDir || (mode !== undefined && mode !== '--record-mode')) {
  console.error('usage: node bench/run-kreroute.ts PLAN_FILE SOURCE_BOOTSTRAP DEST_BOOTSTRAP STATE_DIR [--record-mode]');
  process.exit(2);
}
const plan = await readPlanFile(planFile);
const summary = await copyPlan(plan, {
  source: { bootstrap: [source] },
  destination: { bootstrap: [destination] },
  stateDir,
  ...(mode === '--record-mode' ? { passthrough: false } : {}),
});
console.log(JSON.stringify(summary));
