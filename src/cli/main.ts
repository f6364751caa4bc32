#!/usr/bin/env node
import { enableCompileCache } from 'node:module';
import { runWithTunedMalloc } from './malloc-env.ts';

// Long commands start again with glibc's malloc set for flat memory (see malloc-env.ts), before anything loads
// (the bundle's launcher has done it before loading the bundle: then this finds the mark and goes on).
runWithTunedMalloc();

// Loading the modules (the Kafka client's most of all) is a large part of a short run's time;
// Node keeps their compiled code in its cache folder for the next run (NODE_DISABLE_COMPILE_CACHE=1 turns it off).
enableCompileCache();
await import('./lazy-validators.ts');
const { runCli } = await import('./run.ts');

// Exit explicitly: a Kafka client socket left open must not keep the process alive.
process.exit(await runCli(process.argv.slice(2)));
