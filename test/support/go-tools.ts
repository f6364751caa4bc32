import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A Go program that scripts/bootstrap.sh builds when Go is installed: a real Pushgateway, and
 * test/support/promcheck (promlint, rule files, PromQL). Undefined when it is not there.
 * KREROUTE_GO_TOOLS names another folder than <cache>/go-tools.
 */
export function goTool(name: 'pushgateway' | 'promcheck'): string | undefined {
  const folder = process.env['KREROUTE_GO_TOOLS'] ?? join(process.env['KREROUTE_CACHE_DIR'] ?? join(import.meta.dirname, '../../.cache'), 'go-tools');
  const path = join(folder, name);
  return existsSync(path) ? path : undefined;
}

/** Why a test that needs a Go tool was skipped. */
export const NOT_BUILT = 'not built: scripts/bootstrap.sh builds it into <cache>/go-tools when Go is installed';
