/**
 * Which field names look like they hold a secret, so that error messages never print their
 * values even when the schema does not mark them `secret: true` (a misspelled field, a
 * metadata key, a field of a future connector). The rule, documented in docs/configuration.md:
 *
 * A name looks secret when, lower-cased with `_`, `-`, `.` and spaces removed, it contains one of
 * SECRET_STEMS (secret, password, passwd, pwd, passphrase, token, credential, private,
 * authorization, apikey, accesskey, connectionstring, connstr, signature, cookie, jwt), or ends in
 * `key`, `keys` or `auth`, or one of its words (split at camelCase humps, `_`, `-`, `.`, spaces and
 * digits) is one of SECRET_WORDS (key, keys, auth, sas, sig, pass, pin, salt). `auth` is matched
 * as a word, not inside other words, so `rejectUnauthorized` is not taken for a secret. The rule
 * errs on the side of hiding: hiding a harmless value costs a less detailed message, printing a
 * secret cannot be undone.
 */

export const SECRET_STEMS = [
  'secret', 'password', 'passwd', 'pwd', 'passphrase', 'token', 'credential', 'private', 'authorization',
  'apikey', 'accesskey', 'connectionstring', 'connstr', 'signature', 'cookie', 'jwt',
] as const;

export const SECRET_WORDS = ['key', 'keys', 'auth', 'sas', 'sig', 'pass', 'pin', 'salt'] as const;

const WORDS = new Set<string>(SECRET_WORDS);

/** The words of a name: `secretAccessKey` → secret, access, key; `SAS_TOKEN` → sas, token. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** True when a field named `name` probably holds a secret (see the rule above). */
export function looksSecret(name: string): boolean {
  const flat = name.toLowerCase().replace(/[\s_.-]+/g, '');
  if (SECRET_STEMS.some((s) => flat.includes(s))) return true;
  if (/(keys?|auth)$/.test(flat)) return true;
  return nameWords(name).some((w) => WORDS.has(w));
}

/** True when any property name along a field path (`config.tls.key`, `metadata.apiKey`) looks secret. */
export function pathLooksSecret(path: string): boolean {
  return path.split(/[.[\]]+/).filter((p) => p && !/^\d+$/.test(p)).some(looksSecret);
}
