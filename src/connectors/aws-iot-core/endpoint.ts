/**
 * Recognises AWS IoT device data endpoints (`<prefix>-ats.iot.<region>.amazonaws.com`, the China
 * `<prefix>.ats.iot.cn-north-1.amazonaws.com.cn`, VPC endpoint names) and the usual mix-ups: the
 * control-plane API host, the credentials-provider host and the legacy VeriSign endpoint. Anything
 * else is only a warning, so custom domains and test brokers keep working.
 */

export interface EndpointInfo {
  /** Looks like an AWS IoT device data endpoint. */
  aws: boolean;
  region: string | null;
  /** Why the host is probably not what the user wants, or null. */
  problem: string | null;
}

const DATA_ATS = /^[a-z0-9]+(?:-ats|\.ats)\.iot\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
const VPC = /\.iot\.([a-z0-9-]+)\.vpce\.amazonaws\.com(?:\.cn)?$/;
const LEGACY = /^[a-z0-9]+\.iot\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
const CONTROL_PLANE = /^iot\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
const CREDENTIALS = /\.credentials\.iot\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
const WITH_SCHEME = /^[a-z]+:\/\//;

const HOW_TO_FIND = 'copy the device data endpoint from the AWS IoT console (Settings → Device data endpoint) or from `aws iot describe-endpoint --endpoint-type iot:Data-ATS`';

export function inspectEndpoint(host: string): EndpointInfo {
  const h = host.trim().toLowerCase();
  if (WITH_SCHEME.test(h) || h.includes('/') || /^[^:]+:\d+$/.test(h)) {
    return { aws: false, region: null, problem: `endpoint "${host}" must be a bare host name, without scheme, path or port (the port goes in port): ${HOW_TO_FIND}` };
  }
  const ats = DATA_ATS.exec(h) ?? VPC.exec(h);
  if (ats) return { aws: true, region: ats[1] ?? null, problem: null };
  const control = CONTROL_PLANE.exec(h);
  if (control) {
    return { aws: false, region: control[1] ?? null, problem: `endpoint "${host}" is the AWS IoT control-plane API, not a device data endpoint: ${HOW_TO_FIND}` };
  }
  const credentials = CREDENTIALS.exec(h);
  if (credentials) {
    return { aws: false, region: credentials[1] ?? null, problem: `endpoint "${host}" is the AWS IoT credentials provider, not a device data endpoint: ${HOW_TO_FIND}` };
  }
  const legacy = LEGACY.exec(h);
  if (legacy) {
    return {
      aws: true, region: legacy[1] ?? null,
      problem: `endpoint "${host}" is a legacy endpoint whose certificate is signed by VeriSign, which the default credentials.ca (Amazon Root CA 1) does not trust: use the ATS endpoint "${h.replace('.iot.', '-ats.iot.')}"`,
    };
  }
  return {
    aws: false, region: null,
    problem: `endpoint "${host}" does not look like an AWS IoT endpoint (<prefix>-ats.iot.<region>.amazonaws.com): fine for a custom domain or a test broker; otherwise ${HOW_TO_FIND}`,
  };
}
