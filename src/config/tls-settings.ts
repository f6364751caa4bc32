import { type ConnectionOptions, createSecureContext } from 'node:tls';
import { isCertificate, isPrivateKey, joinPem, pemBlocks } from './pem.ts';
import type { PropertySet } from './property-set.ts';

const JKS_KEYSTORE_HINT =
  'convert it to PKCS12 (keytool -importkeystore -srckeystore <file.jks> -destkeystore keystore.p12 -deststoretype PKCS12) ' +
  'and set ssl.keystore.type=PKCS12 and ssl.keystore.location=keystore.p12, or use PEM (ssl.keystore.type=PEM)';
const JKS_TRUSTSTORE_HINT =
  'export its certificates as PEM (keytool -list -rfc -keystore <file.jks> > ca.pem) and set ssl.truststore.type=PEM and ssl.truststore.location=ca.pem';
const PKCS12_TRUSTSTORE_HINT =
  'export its certificates as PEM (openssl pkcs12 -in <file.p12> -nokeys -out ca.pem) and set ssl.truststore.type=PEM and ssl.truststore.location=ca.pem';

/** The TLS options of a properties file whose security.protocol is SSL or SASL_SSL. */
export async function tlsFromProperties(props: PropertySet): Promise<ConnectionOptions> {
  const tls: ConnectionOptions = {};
  const ca = await trustedCertificates(props);
  if (ca !== undefined) tls.ca = ca;
  Object.assign(tls, await clientIdentity(props));
  Object.assign(tls, protocolVersions(props));

  const algorithm = props.get('ssl.endpoint.identification.algorithm');
  if (algorithm === '') {
    tls.checkServerIdentity = () => undefined;
  } else if (algorithm !== undefined && algorithm.toLowerCase() !== 'https') {
    props.fail(
      'ssl.endpoint.identification.algorithm',
      'is not https or empty',
      "use https (the default) or leave the value empty to skip host name verification (librdkafka's none is written ssl.endpoint.identification.algorithm= in Kafka)",
    );
  }

  checkLoadable(props, tls);
  return tls;
}

async function trustedCertificates(props: PropertySet): Promise<string | undefined> {
  const inline = props.get('ssl.truststore.certificates');
  const location = props.get('ssl.truststore.location') || undefined;
  if (inline === undefined && location === undefined) return undefined;
  if (inline !== undefined && location !== undefined) {
    props.fail('ssl.truststore.certificates', 'is set together with ssl.truststore.location', 'keep only one of the two');
  }
  const key = inline !== undefined ? 'ssl.truststore.certificates' : 'ssl.truststore.location';
  const type = storeType(props, 'ssl.truststore.type', inline !== undefined);
  if (type === 'JKS') {
    await failIfPemWithoutType(props, key, 'ssl.truststore.type');
    props.fail(key, `${typeOrigin(props, 'ssl.truststore.type', 'JKS')}: kreroute cannot read JKS truststores`, JKS_TRUSTSTORE_HINT);
  }
  if (type === 'PKCS12') props.fail(key, 'kreroute cannot read PKCS12 truststores', PKCS12_TRUSTSTORE_HINT);
  if (type !== 'PEM') props.fail('ssl.truststore.type', 'is not a truststore type kreroute reads', 'use ssl.truststore.type=PEM');
  const text = inline ?? (await props.readNamedFile(key)).toString('utf8');
  const certificates = pemBlocks(text).filter(isCertificate);
  if (certificates.length === 0)
    props.fail(key, 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)', "give the CA certificate(s) that signed the brokers' certificates, in PEM");
  return joinPem(certificates);
}

type Identity = Pick<ConnectionOptions, 'key' | 'cert' | 'pfx' | 'passphrase'>;

async function clientIdentity(props: PropertySet): Promise<Identity> {
  const inlineKey = props.get('ssl.keystore.key');
  const inlineChain = props.get('ssl.keystore.certificate.chain');
  const location = props.get('ssl.keystore.location') || undefined;
  const inline = inlineKey !== undefined || inlineChain !== undefined;
  if (!inline && location === undefined) return {};
  if (inline && location !== undefined)
    props.fail('ssl.keystore.location', 'is set together with ssl.keystore.key / ssl.keystore.certificate.chain', 'keep only one way of giving the client key');
  const type = storeType(props, 'ssl.keystore.type', inline);
  const keyPassword = props.get('ssl.key.password') || undefined;

  if (inline) {
    if (type !== 'PEM') props.fail('ssl.keystore.type', 'must be PEM with inline keys', 'set ssl.keystore.type=PEM');
    if (inlineKey === undefined)
      props.fail('ssl.keystore.certificate.chain', 'is set without ssl.keystore.key', 'add the client private key as ssl.keystore.key');
    if (inlineChain === undefined)
      props.fail('ssl.keystore.key', 'is set without ssl.keystore.certificate.chain', 'add the client certificate chain as ssl.keystore.certificate.chain');
    return pemIdentity(props, 'ssl.keystore.key', inlineKey, 'ssl.keystore.certificate.chain', inlineChain, keyPassword);
  }
  const key = 'ssl.keystore.location';
  switch (type) {
    case 'PEM': {
      const text = (await props.readNamedFile(key)).toString('utf8');
      return pemIdentity(props, key, text, key, text, keyPassword);
    }
    case 'PKCS12': {
      const pfx = await props.readNamedFile(key);
      const storePassword = props.get('ssl.keystore.password') || undefined;
      if (keyPassword !== undefined && storePassword !== undefined && keyPassword !== storePassword) {
        props.fail(
          'ssl.key.password',
          'differs from ssl.keystore.password; kreroute opens a PKCS12 keystore with one password',
          'use a keystore whose key has the store password, or PEM',
        );
      }
      const passphrase = storePassword ?? keyPassword;
      return passphrase === undefined ? { pfx } : { pfx, passphrase };
    }
    case 'JKS':
      await failIfPemWithoutType(props, key, 'ssl.keystore.type');
      return props.fail(key, `${typeOrigin(props, 'ssl.keystore.type', 'JKS')}: kreroute cannot read JKS keystores`, JKS_KEYSTORE_HINT);
    default:
      return props.fail('ssl.keystore.type', 'is not a keystore type kreroute reads', 'use PEM or PKCS12');
  }
}

function pemIdentity(props: PropertySet, keyKey: string, keyText: string, chainKey: string, chainText: string, passphrase: string | undefined): Identity {
  const keys = pemBlocks(keyText).filter(isPrivateKey);
  const certificates = pemBlocks(chainText).filter(isCertificate);
  if (keys.length !== 1)
    props.fail(keyKey, `holds ${keys.length} PEM private keys, not one`, 'give exactly one -----BEGIN PRIVATE KEY----- (or ENCRYPTED PRIVATE KEY) block');
  if (certificates.length === 0)
    props.fail(chainKey, 'holds no PEM certificate', 'give the client certificate (and its intermediates) as -----BEGIN CERTIFICATE----- blocks');
  const identity: Identity = { key: (keys[0] as { pem: string }).pem, cert: joinPem(certificates) };
  if (passphrase !== undefined) identity.passphrase = passphrase;
  return identity;
}

/** Kafka's store type: explicit, else PEM when inline PEM is given, else Kafka's default JKS. */
function storeType(props: PropertySet, key: string, inline: boolean): string {
  const explicit = props.get(key);
  if (explicit) return explicit.toUpperCase();
  return inline ? 'PEM' : 'JKS';
}

/** A PEM file whose store type was left to Kafka's JKS default: say what to add instead of how to convert. */
async function failIfPemWithoutType(props: PropertySet, key: string, typeKey: string): Promise<void> {
  if (props.get(typeKey)) return;
  const text = (await props.readNamedFile(key)).toString('latin1');
  if (pemBlocks(text).length > 0) props.fail(key, `is a PEM file, but ${typeKey} is not set, so Kafka's default JKS applies`, `add ${typeKey}=PEM`);
}

function typeOrigin(props: PropertySet, key: string, type: string): string {
  return props.get(key) ? `${key}=${type}` : `${key} is not set, so Kafka's default ${type} applies`;
}

const TLS_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;
type TlsVersion = (typeof TLS_VERSIONS)[number];

function protocolVersions(props: PropertySet): Pick<ConnectionOptions, 'minVersion' | 'maxVersion'> {
  const enabled = props.get('ssl.enabled.protocols');
  if (enabled !== undefined && enabled !== '') {
    const versions = enabled
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    for (const version of versions) {
      if (!TLS_VERSIONS.includes(version as TlsVersion)) {
        props.fail('ssl.enabled.protocols', 'lists a protocol other than TLSv1.2 and TLSv1.3', 'list TLSv1.2 and/or TLSv1.3');
      }
    }
    const sorted = TLS_VERSIONS.filter((v) => versions.includes(v));
    return { minVersion: sorted[0] as TlsVersion, maxVersion: sorted[sorted.length - 1] as TlsVersion };
  }
  const protocol = props.get('ssl.protocol');
  if (protocol === undefined || protocol === '' || protocol === 'TLS' || protocol === 'TLSv1.3') return {};
  if (protocol === 'TLSv1.2') return { maxVersion: 'TLSv1.2' };
  return props.fail('ssl.protocol', 'is not TLSv1.2, TLSv1.3 or TLS', 'use TLSv1.2 or TLSv1.3');
}

/** Loads the key material once now, so a wrong password or a bad file is reported before connecting. */
function checkLoadable(props: PropertySet, tls: ConnectionOptions): void {
  if (tls.ca !== undefined) {
    try {
      createSecureContext({ ca: tls.ca });
    } catch (error) {
      const key = props.has('ssl.truststore.certificates') ? 'ssl.truststore.certificates' : 'ssl.truststore.location';
      props.fail(key, `holds a certificate that cannot be loaded (${reason(error)})`, 'give valid PEM certificates');
    }
  }
  if (tls.pfx !== undefined) {
    try {
      createSecureContext({ pfx: tls.pfx, ...(tls.passphrase === undefined ? {} : { passphrase: tls.passphrase }) });
    } catch (error) {
      props.fail('ssl.keystore.location', `cannot open the PKCS12 keystore (${reason(error)})`, 'check ssl.keystore.password and that the file is PKCS12');
    }
  }
  if (tls.key !== undefined) {
    const keyKey = props.has('ssl.keystore.key') ? 'ssl.keystore.key' : 'ssl.keystore.location';
    try {
      createSecureContext({ key: tls.key, ...(tls.passphrase === undefined ? {} : { passphrase: tls.passphrase }) });
    } catch (error) {
      props.fail(keyKey, `cannot load the private key (${reason(error)})`, 'if the key is encrypted, check ssl.key.password');
    }
    try {
      createSecureContext({ key: tls.key, cert: tls.cert, ...(tls.passphrase === undefined ? {} : { passphrase: tls.passphrase }) });
    } catch (error) {
      const chainKey = props.has('ssl.keystore.certificate.chain') ? 'ssl.keystore.certificate.chain' : 'ssl.keystore.location';
      props.fail(
        chainKey,
        `the certificate cannot be used with the private key (${reason(error)})`,
        'the first certificate must be the one issued for this key',
      );
    }
  }
}

/** OpenSSL's reason for a failure: a fixed phrase ("bad decrypt", "mac verify failure"), never the input. */
function reason(error: unknown): string {
  const e = error as { reason?: unknown; code?: unknown; message?: unknown };
  if (typeof e.reason === 'string' && e.reason !== '') return e.reason;
  if (typeof e.message === 'string' && /^[\w .,:-]{1,80}$/.test(e.message)) return e.message;
  if (typeof e.code === 'string') return e.code;
  return 'unreadable';
}
