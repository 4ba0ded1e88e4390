/**
 * Where the CPU time of a V8 CPU profile (`--cpu-prof`) goes, by component: each package under
 * node_modules, each Cloudbridge source file, Node's internals, native calls (with the component that
 * called them), the garbage collector. Idle time is left out; shares are of the busy time.
 *
 *   BENCH_CB_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/cb-prof" npm run bench -- mqtt
 *   node bench/profile-summary.ts /tmp/cb-prof/*.cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/** The component a JavaScript frame belongs to, from its script URL. */
function componentOf(url: string): string {
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (pkg) return `npm ${pkg}`;
  const src = /\/(src|bench|test)\/(.+)$/.exec(url);
  if (src) return `${src[1]}/${src[2]}`;
  if (url.startsWith('node:')) return `node ${url.slice(5).replace(/^internal\//, '').split('/')[0]}`;
  return url || 'native';
}

function summarize(profile: Profile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (node: ProfileNode): string => {
    const { functionName, url } = node.callFrame;
    if (functionName === '(garbage collector)') return 'V8 garbage collector';
    if (functionName === '(program)') return 'V8 and native, outside JavaScript (program)';
    if (url) return componentOf(url);
    // A native function (e.g. node:sqlite's run): named with the component of its nearest JavaScript caller.
    for (let p = parent.get(node.id); p !== undefined; p = parent.get(p)) {
      const caller = byId.get(p);
      if (caller?.callFrame.url) return `native ${functionName || '(anonymous)'} ← ${componentOf(caller.callFrame.url)}`;
    }
    return `native ${functionName || '(anonymous)'}`;
  };
  const micros = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') return;
    const key = label(node);
    micros.set(key, (micros.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  });
  return micros;
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
for (const file of positionals) {
  const micros = summarize(JSON.parse(readFileSync(file, 'utf8')) as Profile);
  const busy = [...micros.values()].reduce((a, b) => a + b, 0);
  console.log(`${file}: ${(busy / 1000).toFixed(0)} ms busy`);
  const rows = [...micros].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));
  for (const [key, us] of rows) console.log(`  ${((us / busy) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`);
}
