// The at-least-once state lock, held by real processes: a lock left by a killed copier whose PID
// now belongs to another living process (PID 1 in a restarted container is the new copier
// itself) is stale; a lock whose holder still runs is not.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { lockStateDir } from '../../../src/checkpoint/state-lock.ts';
import { KrerouteError } from '../../../src/common/errors.ts';

const lockModule = new URL('../../../src/checkpoint/state-lock.ts', import.meta.url).href;

/** A process that takes the lock and keeps it until killed. */
async function holder(stateDir: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { lockStateDir } = await import(${JSON.stringify(lockModule)}); await lockStateDir(${JSON.stringify(stateDir)}); console.log('locked'); setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [line] = (await Promise.race([once(child.stdout!, 'data'), once(child, 'exit').then(() => ['exited'])])) as [Buffer | string];
  assert.equal(String(line).trim(), 'locked');
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/** What a restarted container sees: the dead holder's lock, its PID now someone else's. */
async function reusePid(stateDir: string, deadPid: number, livingPid: number): Promise<void> {
  const path = join(stateDir, 'copy.lock');
  const content = await readFile(path, 'utf8');
  assert.ok(content.includes(String(deadPid)));
  await writeFile(path, content.replace(String(deadPid), String(livingPid)));
}

const conflict = (error: unknown) => error instanceof KrerouteError && error.code === 'RESUME_CONFLICT';

test('a living holder keeps the lock; once it is gone the lock is taken over', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kreroute-lock-'));
  const child = await holder(dir);
  try {
    await assert.rejects(lockStateDir(dir), conflict);
  } finally {
    await kill(child);
  }
  const unlock = await lockStateDir(dir);
  await unlock();
});

test('a lock whose PID was reused by this very process (PID 1 in a restarted container) is stale', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kreroute-lock-'));
  const child = await holder(dir);
  await kill(child);
  await reusePid(dir, child.pid!, process.pid);
  const unlock = await lockStateDir(dir);
  assert.ok((await readFile(join(dir, 'copy.lock'), 'utf8')).includes(String(process.pid)));
  await unlock();
});

test('a lock whose PID was reused by another living process is stale', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kreroute-lock-'));
  const child = await holder(dir);
  await kill(child);
  // The reusing process starts after the holder died (start times count in 10 ms clock ticks).
  await sleep(50);
  const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    await reusePid(dir, child.pid!, other.pid!);
    const unlock = await lockStateDir(dir);
    await unlock();
  } finally {
    await kill(other);
  }
});

test('a lock from before a reboot of this host is stale, even when its PID and start time happen to match', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kreroute-lock-'));
  const path = join(dir, 'copy.lock');
  const unlock = await lockStateDir(dir);
  // This process's own identity, as if written during an earlier boot.
  const held = JSON.parse(await readFile(path, 'utf8'));
  await unlock();
  await writeFile(path, JSON.stringify({ ...held, bootId: '00000000-0000-0000-0000-000000000000', token: 'earlier' }));
  const again = await lockStateDir(dir);
  assert.notEqual(JSON.parse(await readFile(path, 'utf8')).token, 'earlier');
  await again();
});

test('a lock of a copier on another host is left alone: it cannot be checked from here', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kreroute-lock-'));
  await writeFile(join(dir, 'copy.lock'), JSON.stringify({ host: 'another-host', pid: 1, bootId: null, startTicks: null, token: 'x' }));
  await assert.rejects(lockStateDir(dir), (e: unknown) => conflict(e) && /locked by a copier on another-host/.test((e as Error).message));
});

test('copiers that all find the same stale lock at once: exactly one takes it over (several rounds)', async () => {
  for (let round = 0; round < 4; round++) {
    const dir = await mkdtemp(join(tmpdir(), 'kreroute-lock-'));
    const dead = await holder(dir);
    await kill(dead);
    // Each taker loads kreroute, says so, and waits for one byte on stdin: all are let go at once.
    // A taker that got the lock keeps it (stays alive) until every taker has answered.
    const script = `const { lockStateDir } = await import(${JSON.stringify(lockModule)}); console.log('ready'); process.stdin.once('data', async () => { try { await lockStateDir(${JSON.stringify(dir)}); console.log('locked'); setInterval(() => {}, 1000); } catch (e) { console.log(e.code); process.exit(0); } });`;
    const takers = Array.from({ length: 6 }, () => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      return { child, out: () => out, exited: once(child, 'exit') };
    });
    for (let i = 0; i < 200 && !takers.every((t) => t.out().includes('ready')); i++) await sleep(25);
    for (const t of takers) t.child.stdin!.write('x');
    const answered = () => takers.every((t) => /locked|RESUME_CONFLICT/.test(t.out()));
    for (let i = 0; i < 400 && !answered(); i++) await sleep(25);
    const outcomes = takers.map((t) => t.out().replace('ready', '').trim());
    for (const t of takers) t.child.kill('SIGKILL');
    await Promise.all(takers.map((t) => t.exited));
    assert.equal(outcomes.filter((o) => o === 'locked').length, 1, `round ${round}: ${outcomes.join(', ')}`);
    assert.equal(outcomes.filter((o) => o === 'RESUME_CONFLICT').length, 5, `round ${round}: ${outcomes.join(', ')}`);
  }
});
