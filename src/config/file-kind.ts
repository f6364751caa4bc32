/**
 * What a file given as a Kafka client .properties file looks like when it is plainly something
 * else (a key, a keystore, JSON, binary), and where such a file belongs instead. Both texts are
 * fixed phrases: they never quote the file.
 */
export interface ForeignFileKind {
  looksLike: string;
  instead: string;
}

const KEYSTORE_INSTEAD = 'give its path as ssl.keystore.location=… (with ssl.keystore.type) inside the properties file';
const PKCS12_INSTEAD = 'give its path as ssl.keystore.location=… with ssl.keystore.type=PKCS12 (and ssl.keystore.password) inside the properties file';
const JKS_INSTEAD =
  'kreroute reads PKCS12 and PEM keystores: convert it (keytool -importkeystore -srckeystore <file.jks> -destkeystore keystore.p12 -deststoretype PKCS12) ' +
  'and give ssl.keystore.location=keystore.p12 with ssl.keystore.type=PKCS12 inside the properties file';
const DER_INSTEAD =
  'convert it to PEM (openssl pkey -inform DER -in <file> -out client.key, or openssl x509 -inform DER for a certificate) ' +
  'and give its path inside the properties file (ssl.keystore.location=… with ssl.keystore.type=PEM, or ssl.truststore.location=…)';
const KEY_INSTEAD =
  'give its path as ssl.keystore.location=… with ssl.keystore.type=PEM inside the properties file (one PEM file holding the key and its certificate)';
const CERT_INSTEAD = 'give its path as ssl.truststore.location=… with ssl.truststore.type=PEM inside the properties file';
const PROPERTIES_INSTEAD = 'give a Kafka client .properties file: key=value lines such as security.protocol=SASL_SSL (see docs/configuration.md)';

const JKS_MAGIC = 0xfeedfeed;
const JCEKS_MAGIC = 0xcececece;
const ASN1_SEQUENCE = 0x30;
const ASN1_INTEGER = 0x02;

export function foreignFileKind(bytes: Buffer): ForeignFileKind | undefined {
  if (bytes.length >= 4 && (bytes.readUInt32BE(0) === JKS_MAGIC || bytes.readUInt32BE(0) === JCEKS_MAGIC)) {
    return { looksLike: 'a Java keystore (JKS)', instead: JKS_INSTEAD };
  }
  const der = derKind(bytes);
  if (der) return der;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return {
      looksLike: 'a binary file, or text that is not UTF-8',
      instead: `${PROPERTIES_INSTEAD}, saved as UTF-8 (or with non-ASCII characters written \\uXXXX)`,
    };
  }
  if (hasControlCharacters(text)) return { looksLike: 'a binary file (it holds control characters)', instead: PROPERTIES_INSTEAD };
  const first = text.replace(/^\uFEFF/, '').trimStart();
  const pem = /^-----BEGIN ([A-Z0-9 ]+)-----/.exec(first);
  if (pem) {
    const label = pem[1] as string;
    if (label.includes('PRIVATE KEY')) return { looksLike: `a PEM ${label.includes('ENCRYPTED') ? 'encrypted ' : ''}private key`, instead: KEY_INSTEAD };
    if (label.includes('CERTIFICATE')) return { looksLike: 'a PEM certificate', instead: CERT_INSTEAD };
    return { looksLike: 'a PEM file', instead: KEYSTORE_INSTEAD };
  }
  if (first.startsWith('{') || (first.startsWith('[') && isJson(first))) {
    const secretLike = /"(private_key|client_secret|secret|password|token)[^"]*"\s*:/i.test(first);
    return { looksLike: secretLike ? 'a JSON file holding a key or secret (a cloud service-account key?)' : 'a JSON file', instead: PROPERTIES_INSTEAD };
  }
  return undefined;
}

// Tab, line feed, form feed and carriage return are the only control characters a properties file holds.
const ALLOWED_CONTROLS = new Set([0x09, 0x0a, 0x0c, 0x0d]);

function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && !ALLOWED_CONTROLS.has(code)) || code === 0x7f) return true;
  }
  return false;
}

/**
 * A binary DER structure, told apart by what opens the outer SEQUENCE: INTEGER 3 (PKCS#12's
 * version), INTEGER 0 or 1 (a private key: PKCS#8, PKCS#1 or SEC1), or a SEQUENCE (a certificate).
 */
function derKind(bytes: Buffer): ForeignFileKind | undefined {
  if (bytes.length < 4 || bytes[0] !== ASN1_SEQUENCE || (bytes[1] as number) < 0x80) return undefined;
  const inner = bytes.subarray(2 + ((bytes[1] as number) & 0x7f));
  if (inner[0] === ASN1_INTEGER && inner[1] === 1 && inner[2] === 3) return { looksLike: 'a PKCS#12 keystore', instead: PKCS12_INSTEAD };
  if (inner[0] === ASN1_INTEGER) return { looksLike: 'a binary (DER) private key', instead: DER_INSTEAD };
  if (inner[0] === ASN1_SEQUENCE) return { looksLike: 'a binary (DER) certificate', instead: DER_INSTEAD };
  return { looksLike: 'a binary DER file (a key, certificate or keystore)', instead: KEYSTORE_INSTEAD };
}

/** An INI section header such as `[default]` also opens with a bracket: it is no JSON. */
function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
