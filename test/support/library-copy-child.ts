// Runs one copy through the library in a process of its own and returns without process.exit, so
// the parent sees whether anything the copy left behind (a socket, a retry timer) keeps it alive.
// Usage: node library-copy-child.ts PLAN_FILE SOURCE_BOOTSTRAP DEST_BOOTSTRAP STATE_DIR
import { copyPlan, readPlanFile } from '../../src/index.ts';

const [planFile, source, destination, stateDir] = process.argv.slice(2) as [string, string, string, string];
try {
  await copyPlan(await readPlanFile(planFile), { source: { bootstrap: [source] }, destination: { bootstrap: [destination] }, stateDir });
  console.log('copied');
} catch (error) {
  console.log(`failed ${(error as { code?: string }).code ?? (error as Error).message}`);
}
