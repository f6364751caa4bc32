import { KrerouteError } from '../common/errors.ts';

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?)*\.?$/;
const IPV6 = /^\[[0-9A-Fa-f:.]+(?:%[A-Za-z0-9_.-]+)?\]$/;

/**
 * Parses a bootstrap list `host:port,host:port`. `origin` names where it came from ("--source",
 * "KREROUTE_SOURCE_BOOTSTRAP", "client.properties:3 bootstrap.servers") for the error line. Text
 * typed as a flag is quoted back; a value from a properties file (code CONFIG) never is, as a
 * value there may be a secret put under the wrong key.
 */
export function parseBootstrap(text: string, origin: string, code: 'BAD_INPUT' | 'CONFIG' = 'BAD_INPUT'): string[] {
  const fail = (message: string): never => {
    throw new KrerouteError(code, `${origin}: ${message}`, {
      hint: 'write the bootstrap brokers as host:port, comma-separated, e.g. kafka-1:9092,kafka-2:9092',
    });
  };
  const entries = text.split(',').map((e) => e.trim());
  const quote = (part: string, index: number): string => (code === 'CONFIG' ? `entry ${index + 1}` : `"${part}"`);
  if (entries.every((e) => e === '')) fail('no bootstrap broker given');
  const result: string[] = [];
  for (const [index, entry] of entries.entries()) {
    if (entry === '') fail(`${code === 'CONFIG' ? 'the list' : `"${text}"`} has an empty entry`);
    if (/^[a-zA-Z_]+:\/\//.test(entry))
      fail(`${quote(entry, index)} has a scheme; the security protocol belongs in the client properties file (security.protocol)`);
    const colon = entry.lastIndexOf(':');
    if (colon <= 0) fail(`${quote(entry, index)} has no port`);
    const host = entry.slice(0, colon);
    const port = entry.slice(colon + 1);
    if (!HOST.test(host) && !IPV6.test(host))
      fail(
        `${code === 'CONFIG' ? `the host of entry ${index + 1}` : `"${host}"`} is not a host name or IP address${host.includes(':') ? ' (write IPv6 addresses in brackets: [::1]:9092)' : ''}`,
      );
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) fail(`${quote(entry, index)} has no valid port (1-65535)`);
    result.push(`${host}:${Number(port)}`);
  }
  return result;
}
