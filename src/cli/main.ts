#!/usr/bin/env node
import { runCli } from './run.ts';

// Exit explicitly: a Kafka client socket left open must not keep the process alive.
process.exit(await runCli(process.argv.slice(2)));
