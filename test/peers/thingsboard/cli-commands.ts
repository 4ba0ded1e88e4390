/**
 * The commands the double's process (`cli.ts`) reads on stdin, one per line, so that a person trying
 * the forwarder by hand can act as ThingsBoard: send a server-side RPC, set or delete shared
 * attributes, take the server down and up, refuse publishes. Each command answers with one line.
 */
import type { ThingsBoardDouble } from './server.ts';

export const CLI_COMMANDS_HELP = [
  'commands (stdin, one per line):',
  '  rpc DEVICE METHOD [PARAMS_JSON]   server-side RPC; prints the reply (10 s timeout)',
  '  attr DEVICE JSON_OBJECT           set shared attributes (pushed to the gateway)',
  '  delattr DEVICE KEY[,KEY...]       delete shared attributes',
  '  stop | start                      close the listener and connections / listen again',
  '  drop                              close every connection (the listener stays)',
  '  refuse N CODE                     refuse the next N publishes with that reason code',
  '  devices | points [DEVICE]         list devices / count received points',
].join('\n');

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${what} is not JSON: ${text}`);
  }
}

function words(line: string, n: number): string[] {
  const parts: string[] = [];
  let rest = line.trim();
  while (parts.length < n - 1 && rest !== '') {
    const m = /^(\S+)\s*(.*)$/s.exec(rest);
    if (!m) break;
    parts.push(m[1] ?? '');
    rest = m[2] ?? '';
  }
  if (rest !== '') parts.push(rest);
  return parts;
}

/** Runs one stdin line against the double; resolves with the line to print. */
export async function runCliCommand(tb: ThingsBoardDouble, line: string): Promise<string> {
  const [cmd = '', ...args] = words(line, 4);
  switch (cmd) {
    case '':
      return '';
    case 'rpc': {
      const [device, method, params] = args;
      if (!device || !method) throw new Error('usage: rpc DEVICE METHOD [PARAMS_JSON]');
      const reply = await tb.rpc(device, method, params === undefined ? undefined : parseJson(params, 'PARAMS_JSON'));
      return `RPC ${reply.id} to ${device} answered: ${reply.raw}`;
    }
    case 'attr': {
      const [, device, json] = words(line, 3);
      const data = json === undefined ? undefined : parseJson(json, 'JSON_OBJECT');
      if (!device || typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('usage: attr DEVICE JSON_OBJECT');
      return `shared attributes of ${device} set, pushed to ${tb.setSharedAttributes(device, data as Record<string, unknown>)} session(s)`;
    }
    case 'delattr': {
      const [device, keys] = args;
      if (!device || !keys) throw new Error('usage: delattr DEVICE KEY[,KEY...]');
      return `shared attributes of ${device} deleted, pushed to ${tb.deleteSharedAttributes(device, keys.split(','))} session(s)`;
    }
    case 'stop':
      await tb.stop();
      return 'stopped';
    case 'start':
      await tb.start();
      return `listening on ${tb.port}`;
    case 'drop':
      tb.dropConnections();
      return 'connections dropped';
    case 'refuse': {
      const [n, code] = args.map(Number);
      if (!Number.isInteger(n) || !Number.isInteger(code)) throw new Error('usage: refuse N CODE (e.g. refuse 1 153)');
      tb.refuseNext(n as number, code as number);
      return `refusing the next ${n} publish(es) with 0x${(code as number).toString(16)}`;
    }
    case 'devices':
      return tb.devices().map((d) => `${d.name} (${d.type})`).join('\n') || 'no devices';
    case 'points':
      return `points received: ${tb.telemetryCount(args[0])}`;
    default:
      throw new Error(`unknown command "${cmd}"\n${CLI_COMMANDS_HELP}`);
  }
}
