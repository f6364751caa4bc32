import { KrerouteError } from '../common/errors.ts';

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?)*\.?$/;
const IPV6 = /^\[[0-9A-Fa-f:.]+(?:%[A-Za-z0-9_.-]+)?\]$/;

/**
 * Parses a bootstrap list `host:port,host:port`. `origin` names where it came from ("--source",
 * "KREROUTE_SOURCE_BOOTSTRAP", "client.properties:3 bootstrap.servers") for the error line.
 */
export function parseBootstrap(text: string, origin: string, code: 'BAD_INPUT' | 'CONFIG' = 'BAD_INPUT'): string[] {
  const fail = (message: string): never => {
    throw new KrerouteError(code, `${origin}: ${message}`, {
      hint: 'write the bootstrap brokers as host:port, comma-separated, e.g. kafka-1:9092,kafka-2:9092',
    });
  };
  const entries = text.split(',').map((e) => e.trim());
  if (entries.every((e) => e === '')) fail('no bootstrap broker given');
  const result: string[] = [];
  for (const entry of entries) {
    if (entry === '') fail(`"${text}" has an empty entry`);
    if (/^[a-zA-Z_]+:\/\//.test(entry)) fail(`"${entry}" has a scheme; the security protocol belongs in the client properties file (security.protocol)`);
    const colon = entry.lastIndexOf(':');
    if (colon <= 0) fail(`"${entry}" has no port`);
    const host = entry.slice(0, colon);
    const port = entry.slice(colon + 1);
    if (!HOST.test(host) && !IPV6.test(host))
      fail(`"${host}" is not a host name or IP address${host.includes(':') ? ' (write IPv6 addresses in brackets: [::1]:9092)' : ''}`);
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) fail(`"${entry}" has no valid port (1-65535)`);
    result.push(`${host}:${Number(port)}`);
  }
  return result;
}
