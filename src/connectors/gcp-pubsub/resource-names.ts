/**
 * Pub/Sub resource names: a subscription or topic given as a short name (in `projectId`) or as a
 * full path `projects/<project>/subscriptions/<name>` (which may name another project), and the
 * names' rules (3 to 255 characters, starting with a letter, not `goog`).
 */

export type ResourceKind = 'subscriptions' | 'topics';

export interface ResourceName {
  project: string;
  name: string;
  /** `projects/<project>/<kind>/<name>`. */
  path: string;
}

const NAME = /^[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$/;
/** A project id (6 to 30 characters), optionally domain-scoped (`example.com:my-project`). */
const PROJECT = /^([a-z][a-z0-9.-]*:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/** Why `text` is not a valid resource name of `kind`, or null when it is. */
export function resourceNameProblem(text: string, kind: ResourceKind): string | null {
  const m = /^projects\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(text);
  if (text.startsWith('projects/') && !m) return `"${text}" is neither a name nor a full path projects/<project>/${kind}/<name>`;
  if (m && m[2] !== kind) return `"${text}" is a path to ${m[2]}, not to ${kind}`;
  if (m && !PROJECT.test(m[1] ?? '')) return `"${m[1]}" in "${text}" is not a project id`;
  const name = m ? m[3] ?? '' : text;
  if (!NAME.test(name)) return `"${name}" is not a Pub/Sub ${kind === 'topics' ? 'topic' : 'subscription'} name (3 to 255 letters, digits and - _ . ~ + %, starting with a letter)`;
  if (name.toLowerCase().startsWith('goog')) return `"${name}" starts with "goog", which Pub/Sub reserves`;
  return null;
}

/** The project and name of `text` (a name in `projectId`, or a full path). */
export function resolveResourceName(text: string, kind: ResourceKind, projectId: string): ResourceName {
  const m = /^projects\/([^/]+)\/[^/]+\/([^/]+)$/.exec(text);
  const project = m?.[1] ?? projectId;
  const name = m?.[2] ?? text;
  return { project, name, path: `projects/${project}/${kind}/${name}` };
}

export function isValidProjectId(text: string): boolean {
  return PROJECT.test(text);
}
