import { Pushgateway, type Registry } from 'prom-client';

/** The labels that name this command's metrics on the Pushgateway: a later push of the same group replaces them. */
export type GroupingKey = Record<string, string>;

export const PUSH_JOB = 'kreroute';
const PUSH_TIMEOUT_MS = 5000;

/** Pushes (PUT) the job's metrics to a Pushgateway under job="kreroute" and the grouping key; they stay there after the command ends. */
export function metricsPush(url: string, grouping: GroupingKey, registry: () => Promise<Registry>): () => Promise<void> {
  return async () => {
    await new Pushgateway(url, { timeout: PUSH_TIMEOUT_MS }, await registry()).push({ jobName: PUSH_JOB, groupings: grouping });
  };
}

/** The address to show in messages: without a user name or password it may carry. */
export function shownUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}
