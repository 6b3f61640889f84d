// The databases of the stack and the accounts that use them: the service, the gateway
// stand-in, and ticketctl's three least-privilege accounts. stack/components/mariadb.ts
// (the local stack) and stack/compose/init.sql (the compose deployment) create exactly
// these; tests/unit/compose.test.ts keeps the two in step.

/**
 * Local-only credentials of the stack's databases. They guard nothing (the server listens
 * on 127.0.0.1 only); they exist so the service and the gateway use separate accounts, as
 * they would in production, and a drill can starve one pool without touching the other.
 */
export const DATABASES = {
  service: { database: 'ticketing', user: 'ticketing', password: 'ticketing' },
  gateway: { database: 'gateway', user: 'gateway', password: 'gateway' },
} as const;

/** Which ticketctl account a command connects as: reading, acting on money and events, or a drill. */
export type TicketctlDbRole = 'read' | 'operator' | 'drill';

/**
 * ticketctl's accounts (issue 12.3). Nothing ticketctl runs needs DDL: the service's
 * migrations own every table. `read` is every read command's (SELECT, and PROCESS for
 * `health`'s SHOW PROCESSLIST); `operator` the runbook commands that change rows (refunds,
 * cancel, reprocess, DLQ replay, seed); `drill` the chaos drills' (seeding their concerts,
 * reading every invariant, the gateway's ledger included). No account of ticketctl's may
 * DELETE, ALTER, DROP or CREATE.
 */
export const TICKETCTL_DB_ACCOUNTS: Record<TicketctlDbRole, { user: string; password: string; grants: string[] }> = {
  read: { user: 'ticketctl_read', password: 'ticketctl_read', grants: ['SELECT ON `ticketing`.*', 'PROCESS ON *.*'] },
  operator: { user: 'ticketctl_operator', password: 'ticketctl_operator', grants: ['SELECT, INSERT, UPDATE ON `ticketing`.*', 'PROCESS ON *.*'] },
  drill: { user: 'ticketctl_drill', password: 'ticketctl_drill', grants: ['SELECT, INSERT, UPDATE ON `ticketing`.*', 'SELECT ON `gateway`.*', 'PROCESS ON *.*'] },
};
