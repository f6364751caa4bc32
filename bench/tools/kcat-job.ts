import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { measureSteps } from '../steps.ts';
import { checkScript } from './kcat-check.ts';
import type { KcatPipe } from './kcat-pipes.ts';
import { kcatCopy, kcatEnds } from './kcat.ts';
import { type Tool, copyResult, destinationName, freshDestinationTopic } from './tool.ts';

/** kcat's whole job: the copy (one of the two pipes), then the digest check (kcat-check.ts); each step timed by itself. */
export function kcatJobTool(pipe: KcatPipe): Tool {
  const name = pipe === 'partition' ? 'kcat-job' : 'kcat-topic-job';
  return {
    name,
    summary:
      pipe === 'partition'
        ? 'the kcat copy (one pipe per partition), then a check: per partition, both sides dumped with kcat (key and value) into SHA-256, all at once, digests compared'
        : 'the kcat-topic copy (one pipe, partitioned by key), then a check: both sides dumped with kcat per partition (key and value), sorted, merged and digested (SHA-256), digests compared',
    run: async (context) => {
      const destinationTopic = await freshDestinationTopic(context, destinationName(context, name));
      const copy = await kcatCopy(context, pipe, destinationTopic);
      const checkFile = path.join(context.workDir, 'kcat-check.sh');
      await writeFile(checkFile, checkScript(pipe, kcatEnds(context, destinationTopic), path.join(context.workDir, 'digests')));
      const check = { command: 'bash', args: [checkFile], logFile: path.join(context.workDir, 'check.log'), signal: context.signal };
      const job = await measureSteps(
        [
          { name: 'copy', spec: copy.spec },
          { name: 'check', spec: check },
        ],
        context.timeoutMs,
      );
      return { ...(await copyResult(context, destinationTopic, job.measurement, { ...copy.details, check: checkFile })), steps: job.steps };
    },
  };
}
