// The databases of the stack and the accounts that use them: the service, the gateway
// stand-in, and (in MariaDB's provisioning) who may reach which schema.

/**
 * Local-only credentials of the stack's databases. They guard nothing (the server listens
 * on 127.0.0.1 only); they exist so the service and the gateway use separate accounts, as
 * they would in production, and a drill can starve one pool without touching the other.
 */
export const DATABASES = {
  service: { database: 'ticketing', user: 'ticketing', password: 'ticketing' },
  gateway: { database: 'gateway', user: 'gateway', password: 'gateway' },
} as const;
