/**
 * The opening of the "Least-privilege access" section every Azure connector's docs page has: the
 * connectors authenticate with SAS connection strings, so Azure RBAC roles do not apply.
 */
export function sasAccessIntro(rbacRole: string): string {
  return `## Least-privilege access

Cloudbridge authenticates with a shared access policy's connection string (SAS); it does not use
Microsoft Entra ID, so Azure RBAC roles (such as *${rbacRole}*) do not apply to it, and a namespace
or hub with local (SAS) authentication disabled refuses every connection string (\`AUTH_FAILED\`).`;
}
