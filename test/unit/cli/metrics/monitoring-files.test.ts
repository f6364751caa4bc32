// deploy/monitoring: the example Grafana dashboard and the Prometheus alert rules use only metrics
// that kreroute exports (the names taken from its registry, not from a list), and parse.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'node:test';
import { parse } from 'yaml';
import { NOT_BUILT, goTool } from '../../../support/go-tools.ts';
import { exercisedExposition, familiesOf, queryableNames } from '../../../support/metrics-exposition.ts';

const MONITORING = join(import.meta.dirname, '../../../../deploy/monitoring');
const ALERTS = join(MONITORING, 'kreroute-alerts.yaml');
const DASHBOARD = join(MONITORING, 'kreroute-dashboard.json');

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface Dashboard {
  panels: Array<{ id: number; title: string; targets: Array<{ expr: string }> }>;
}

const alertRules = async (): Promise<AlertRule[]> =>
  (parse(await readFile(ALERTS, 'utf8')) as { groups: Array<{ rules: AlertRule[] }> }).groups.flatMap((group) => group.rules);
const dashboardExprs = async (): Promise<string[]> =>
  (JSON.parse(await readFile(DASHBOARD, 'utf8')) as Dashboard).panels.flatMap((panel) => panel.targets.map((target) => target.expr));
const kreroute = (expr: string): string[] => [...expr.matchAll(/\bkreroute_[a-z_]+/g)].map((m) => m[0]);

test('the alert rules parse and cover a failed job, no progress, an old checkpoint, throttling, retries and errors', async () => {
  const rules = await alertRules();
  assert.deepEqual(
    rules.map((rule) => rule.alert),
    ['KrerouteJobFailed', 'KrerouteNoProgress', 'KrerouteCheckpointTooOld', 'KrerouteThrottledMostOfTheTime', 'KrerouteRetriesRising', 'KrerouteErrors'],
  );
  for (const rule of rules) {
    assert.ok(rule.expr.trim().length > 0, rule.alert);
    assert.ok(rule.labels?.['severity'], `${rule.alert}: a severity`);
    assert.ok(rule.annotations?.['summary'], `${rule.alert}: a summary`);
  }
});

test('every metric the dashboard and the alerts query is one kreroute exports', async () => {
  const exported = queryableNames(familiesOf(await exercisedExposition()));
  const used = new Map<string, string>();
  for (const rule of await alertRules()) for (const name of kreroute(rule.expr)) used.set(name, `alert ${rule.alert}`);
  for (const expr of await dashboardExprs()) for (const name of kreroute(expr)) used.set(name, `dashboard: ${expr}`);
  assert.ok(used.size >= 12, `${used.size} metrics used`);
  for (const [name, where] of used) assert.ok(exported.has(name), `${name} (${where}) is not exported by kreroute`);
});

test('Prometheus itself loads the alert rules and parses every dashboard query', { skip: goTool('promcheck') ? false : NOT_BUILT }, async () => {
  const rules = spawnSync(goTool('promcheck')!, ['rules', ALERTS], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(rules.status, 0, `${rules.stdout}${rules.stderr}`);
  const exprs = spawnSync(goTool('promcheck')!, ['exprs'], { input: `${(await dashboardExprs()).join('\n')}\n`, encoding: 'utf8', timeout: 30_000 });
  assert.equal(exprs.status, 0, `${exprs.stdout}${exprs.stderr}`);
  // And it does refuse a broken one.
  const broken = spawnSync(goTool('promcheck')!, ['exprs'], { input: 'sum(rate(kreroute_records_total[5m])\n', encoding: 'utf8', timeout: 30_000 });
  assert.equal(broken.status, 1);
});
