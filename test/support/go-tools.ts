import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A Go program that scripts/bootstrap.sh builds when Go is installed (a real Pushgateway, and
 * client_golang's promlint); undefined when it is not there. KREROUTE_GO_TOOLS names another folder.
 */
export function goTool(name: 'pushgateway' | 'promlint'): string | undefined {
  const folder = process.env['KREROUTE_GO_TOOLS'] ?? join(process.env['KREROUTE_CACHE_DIR'] ?? join(import.meta.dirname, '../../.cache'), 'go-tools');
  const path = join(folder, name);
  return existsSync(path) ? path : undefined;
}
