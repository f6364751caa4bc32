/** One login module entry of a `sasl.jaas.config` value. */
export interface JaasEntry {
  loginModule: string;
  flag: string;
  options: Map<string, string>;
}

/** Thrown with a description that never quotes the text, not even a word of it (it holds passwords). */
export class JaasSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JaasSyntaxError';
  }
}

type Token = { kind: 'word' | 'quoted'; text: string } | { kind: '=' | ';' };

const WORD = /[A-Za-z0-9._$-]/;
const QUOTED_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', b: '\b' };

// The grammar Kafka's JaasConfig accepts: a Java StreamTokenizer with words, "quoted strings", = and ;
// and // or /* */ comments.
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new JaasSyntaxError('an unterminated /* comment');
      i = end + 2;
    } else if (c === '=' || c === ';') {
      tokens.push({ kind: c });
      i++;
    } else if (c === '"' || c === "'") {
      let value = '';
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\' && i + 1 < text.length) {
          const next = text[i + 1] as string;
          value += QUOTED_ESCAPES[next] ?? next;
          i += 2;
        } else {
          value += text[i];
          i++;
        }
      }
      if (i >= text.length) throw new JaasSyntaxError('an unterminated quoted value');
      i++;
      tokens.push({ kind: 'quoted', text: value });
    } else if (WORD.test(c)) {
      let word = '';
      while (i < text.length && WORD.test(text[i] as string)) word += text[i++];
      tokens.push({ kind: 'word', text: word });
    } else {
      throw new JaasSyntaxError(`an unexpected character at position ${i + 1}`);
    }
  }
  return tokens;
}

const FLAGS = new Set(['required', 'requisite', 'sufficient', 'optional']);

/** Parses `LoginModule flag name="value" ... ;` entries (Kafka's sasl.jaas.config syntax). */
export function parseJaasConfig(text: string): JaasEntry[] {
  const tokens = tokenize(text);
  const entries: JaasEntry[] = [];
  let i = 0;
  const next = (): Token | undefined => tokens[i++];
  while (i < tokens.length) {
    const module = next();
    if (module?.kind !== 'word') throw new JaasSyntaxError('expected a login module class name');
    const flag = next();
    if (flag?.kind !== 'word' || !FLAGS.has(flag.text.toLowerCase())) {
      throw new JaasSyntaxError('expected a control flag (required, requisite, sufficient or optional) after the login module class name');
    }
    const options = new Map<string, string>();
    for (;;) {
      const token = next();
      if (token === undefined) throw new JaasSyntaxError('the login module entry does not end with ";"');
      if (token.kind === ';') break;
      if (token.kind !== 'word') throw new JaasSyntaxError('expected an option name');
      if (next()?.kind !== '=') throw new JaasSyntaxError(`expected "=" after option ${options.size + 1} of the entry`);
      const value = next();
      if (value?.kind !== 'word' && value?.kind !== 'quoted') throw new JaasSyntaxError(`expected a value for option ${options.size + 1} of the entry`);
      options.set(token.text, value.text);
    }
    entries.push({ loginModule: module.text, flag: flag.text.toLowerCase(), options });
  }
  if (entries.length === 0) throw new JaasSyntaxError('no login module entry');
  return entries;
}
