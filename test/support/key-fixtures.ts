// Keys and keystores of every common kind, made at test time with openssl and keytool (throwaway
// material, never committed), for tests that give them where a properties file belongs.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface KeyFixture {
  name: string;
  file: string;
  bytes: Buffer;
}

const PASSWORD = 'fixture-pass-1234';

function run(command: string, args: string[]): void {
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
}

/** Writes every kind into `dir` and returns them with their bytes. */
export async function makeKeyFixtures(dir: string): Promise<KeyFixture[]> {
  const at = (name: string) => join(dir, name);
  run('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', at('rsa-pkcs8.key')]);
  run('openssl', ['rsa', '-in', at('rsa-pkcs8.key'), '-traditional', '-out', at('rsa-pkcs1.key')]);
  run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', at('ec.key')]);
  run('openssl', ['pkcs8', '-topk8', '-in', at('rsa-pkcs8.key'), '-passout', `pass:${PASSWORD}`, '-out', at('encrypted.key')]);
  run('openssl', ['req', '-x509', '-key', at('rsa-pkcs8.key'), '-subj', '/CN=kreroute-fixture', '-days', '1', '-out', at('client.crt')]);
  run('openssl', ['pkcs8', '-topk8', '-nocrypt', '-in', at('rsa-pkcs8.key'), '-outform', 'DER', '-out', at('key.der')]);
  run('openssl', ['x509', '-in', at('client.crt'), '-outform', 'DER', '-out', at('client.der')]);
  run('openssl', ['pkcs12', '-export', '-in', at('client.crt'), '-inkey', at('rsa-pkcs8.key'), '-passout', `pass:${PASSWORD}`, '-out', at('client.p12')]);
  run('keytool', [
    '-genkeypair',
    '-keyalg',
    'EC',
    '-alias',
    'client',
    '-dname',
    'CN=kreroute-fixture',
    '-validity',
    '1',
    '-storetype',
    'JKS',
    '-keystore',
    at('client.jks'),
    '-storepass',
    PASSWORD,
    '-keypass',
    PASSWORD,
  ]);
  const privateKey = await readFile(at('rsa-pkcs8.key'), 'utf8');
  // Shaped like a cloud service-account key file.
  const serviceAccount = {
    type: 'service_account',
    project_id: 'kreroute-fixture',
    private_key_id: randomBytes(20).toString('hex'),
    private_key: privateKey,
    client_email: 'mover@kreroute-fixture.iam.example.com',
    client_id: '1034567890123456789012',
  };
  await writeFile(at('service-account.json'), `${JSON.stringify(serviceAccount, null, 2)}\n`);
  // Random bytes, opened by a NUL so that no run can take them for a DER structure or JKS by chance.
  await writeFile(at('random.bin'), Buffer.concat([Buffer.from([0]), randomBytes(1023)]));
  const names = [
    'rsa-pkcs8.key',
    'rsa-pkcs1.key',
    'ec.key',
    'encrypted.key',
    'client.crt',
    'key.der',
    'client.der',
    'client.p12',
    'client.jks',
    'service-account.json',
    'random.bin',
  ];
  return Promise.all(names.map(async (name) => ({ name, file: at(name), bytes: await readFile(at(name)) })));
}

/**
 * Pieces of `bytes` that must never appear in output: every `width`-byte window of the raw bytes,
 * every window of their base64 (at each of the three alignments) and each line of the text.
 */
export function needles(bytes: Buffer, width = 12): Buffer[] {
  const result: Buffer[] = [];
  const windows = (data: Buffer) => {
    for (let i = 0; i + width <= data.length; i++) result.push(data.subarray(i, i + width));
  };
  windows(bytes);
  for (const offset of [0, 1, 2]) windows(Buffer.from(bytes.subarray(offset).toString('base64')));
  for (const line of bytes.toString('latin1').split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed.length >= 6) result.push(Buffer.from(trimmed, 'latin1'));
  }
  return result;
}

/** The first needle found in `output`, described without printing it whole. */
export function firstLeak(output: Buffer, pieces: Buffer[]): string | undefined {
  for (const piece of pieces) {
    const at = output.indexOf(piece);
    if (at >= 0) return `${piece.length} bytes of the file at output offset ${at}`;
  }
  return undefined;
}
