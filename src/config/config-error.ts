import { KrerouteError } from '../common/errors.ts';

/** Where a setting came from, for messages: `client.properties:7 sasl.mechanism`. */
export interface ConfigSite {
  file: string;
  line?: number;
  key?: string;
}

export function describeSite(site: ConfigSite): string {
  const where = site.line === undefined ? site.file : `${site.file}:${site.line}`;
  return site.key === undefined ? where : `${where} ${site.key}`;
}

/** A CONFIG error naming the file and key. Callers never put a value in `message`: any value may be a secret. */
export function configError(site: ConfigSite, message: string, hint?: string): KrerouteError {
  return new KrerouteError('CONFIG', `${describeSite(site)}: ${message}`, hint === undefined ? {} : { hint });
}
