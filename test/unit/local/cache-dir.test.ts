// Downloaded Kafka jars and broker logs go to the user's cache folder, not into the installed package.
import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { cacheDir } from '../../../src/local/paths.ts';

test('KREROUTE_CACHE_DIR, else $XDG_CACHE_HOME/kreroute, else ~/.cache/kreroute', () => {
  assert.equal(cacheDir({ KREROUTE_CACHE_DIR: '/srv/kreroute-cache', XDG_CACHE_HOME: '/x' }), '/srv/kreroute-cache');
  assert.equal(cacheDir({ XDG_CACHE_HOME: '/var/cache/me' }), '/var/cache/me/kreroute');
  assert.equal(cacheDir({}), join(homedir(), '.cache', 'kreroute'));
  assert.equal(cacheDir({ XDG_CACHE_HOME: 'relative/cache' }), join(homedir(), '.cache', 'kreroute'), 'a relative XDG_CACHE_HOME is ignored, as the spec says');
});
