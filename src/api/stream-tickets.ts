/**
 * Short-lived, single-use tickets for server-sent event streams. A browser's EventSource cannot
 * send an Authorization header, and a token in a URL ends up in histories and proxy logs; so an
 * authenticated POST trades the token for a random ticket that opens one stream within 30 s.
 */
import { randomBytes } from 'node:crypto';
import type { Role } from '../app/auth.ts';

export const TICKET_TTL_MS = 30_000;

export interface StreamTicket {
  ticket: string;
  expiresAt: number;
}

export class StreamTickets {
  private readonly tickets = new Map<string, { role: Role; expiresAt: number }>();

  issue(role: Role, now: number): StreamTicket {
    this.prune(now);
    const ticket = randomBytes(24).toString('base64url');
    const expiresAt = now + TICKET_TTL_MS;
    this.tickets.set(ticket, { role, expiresAt });
    return { ticket, expiresAt };
  }

  /** The role the ticket was issued for, or null (unknown, used or expired). A ticket works once. */
  redeem(ticket: string | undefined, now: number): Role | null {
    if (!ticket) return null;
    const entry = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    return entry && entry.expiresAt > now ? entry.role : null;
  }

  private prune(now: number): void {
    for (const [k, v] of this.tickets) if (v.expiresAt <= now) this.tickets.delete(k);
  }
}

const perApp = new WeakMap<object, StreamTickets>();

/** The tickets of one API instance (keyed by its deps), shared by all its stream routes. */
export function ticketsFor(owner: object): StreamTickets {
  let tickets = perApp.get(owner);
  if (!tickets) {
    tickets = new StreamTickets();
    perApp.set(owner, tickets);
  }
  return tickets;
}
