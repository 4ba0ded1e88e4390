/**
 * What a queue URL tells: queue name, account, FIFO, and the region where the host names one
 * (`sqs.<region>.amazonaws.com`, legacy `<region>.queue.amazonaws.com`, VPC endpoint
 * `vpce-….sqs.<region>.vpce.amazonaws.com`, emulators using `sqs.<region>.<host>`).
 */
export interface QueueUrlParts {
  host: string;
  name: string;
  account: string | undefined;
  region: string | undefined;
  fifo: boolean;
}

const REGION = '([a-z]{2}(?:-[a-z]+)+-\\d+)';
const HOST_REGION = [
  new RegExp(`^sqs\\.${REGION}\\.`),
  new RegExp(`^${REGION}\\.queue\\.amazonaws\\.com`),
  new RegExp(`\\.sqs\\.${REGION}\\.vpce\\.amazonaws\\.com$`),
];

export function parseQueueUrl(url: string): QueueUrlParts {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { host: '', name: url, account: undefined, region: undefined, fifo: url.endsWith('.fifo') };
  }
  const segments = parsed.pathname.split('/').filter(Boolean);
  const name = segments.at(-1) ?? '';
  const account = segments.length >= 2 ? segments.at(-2) : undefined;
  let region: string | undefined;
  for (const re of HOST_REGION) {
    const m = re.exec(parsed.hostname);
    if (m?.[1]) {
      region = m[1];
      break;
    }
  }
  return { host: parsed.host, name, account, region, fifo: name.endsWith('.fifo') };
}

/** `queue "name" (account 123…, region eu-west-1)` for error messages. */
export function describeQueue(url: string, region: string | undefined): string {
  const q = parseQueueUrl(url);
  const where = [q.account ? `account ${q.account}` : '', region ? `region ${region}` : ''].filter(Boolean).join(', ');
  return `queue "${q.name}"${where ? ` (${where})` : ''}`;
}
