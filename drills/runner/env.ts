import type { Admin, Kafka } from 'kafkajs';
import { contextKafka, openServiceDb, serviceDbAs, currentRedisMaster, createToxiproxyApi, serviceAdmin } from '../../clients/index.ts';
import type { Pool } from 'mysql2/promise';
import type { Context } from '../../clients/index.ts';
import { createPlatform, type Platform, type StackContext } from '../../stack/index.ts';
import { DATABASES } from '../../contracts/index.ts';
import type { FaultEnv } from '../faults/types.ts';
import type { ProbeEnv } from '../probes/index.ts';
import type { InvariantEnv } from '../invariants/types.ts';

// The clients a drill run needs, made once per run and closed at the end: the service
// database and the gateway's ledger (systems of record), Kafka (admin for lag and the DLQ,
// producers for poison), Toxiproxy, and where the Redis master is now.

export interface DrillEnv {
  context: Context;
  stack: StackContext;
  platform: Platform;
  db: Pool;
  gatewayDb: Pool;
  kafka: () => Kafka;
  admin: () => Promise<Admin>;
  faultEnv(runId: string): FaultEnv;
  probeEnv(dlqBaseline: () => Promise<bigint>, maxLag?: number): ProbeEnv;
  invariantEnv(signal?: AbortSignal): InvariantEnv;
  close(): Promise<void>;
}

/** What faults need to apply and revert; cleanup builds only this (no database). */
export function faultEnvFor(context: Context, stack: StackContext, platform: Platform, runId: string, kafka: () => Kafka): FaultEnv {
  const t = stack.topology;
  return { stack, platform, toxiproxy: createToxiproxyApi(context.toxiproxyUrl ?? `http://${t.host}:${t.toxiproxyApi}`), gatewayUrl: `http://${t.host}:${t.gateway.port}`, kafka, runId };
}

export async function createDrillEnv(context: Context, stack: StackContext, platform?: Platform): Promise<DrillEnv> {
  const units = platform ?? (await createPlatform(stack, context.platform ?? { kind: 'local' }));
  // The drill's own account (contracts/databases.ts): its seeding and every invariant's read, the gateway's ledger included.
  const db = openServiceDb(serviceDbAs(context, 'drill'));
  const gatewayDb = openServiceDb(serviceDbAs(context, 'drill', DATABASES.gateway.database), { connectionLimit: 2 });
  let kafka: Kafka | undefined;
  const getKafka = () => (kafka ??= contextKafka(context, { clientId: 'ticketctl-drill', outlastFencing: true }));
  let admin: Promise<Admin> | undefined;
  const getAdmin = () =>
    (admin ??= (async () => {
      const a = getKafka().admin();
      await a.connect();
      return a;
    })().catch((err) => {
      admin = undefined;
      throw err;
    }));
  const redisMaster = () => currentRedisMaster(context);
  return {
    context,
    stack,
    platform: units,
    db,
    gatewayDb,
    kafka: getKafka,
    admin: getAdmin,
    faultEnv: (runId) => faultEnvFor(context, stack, units, runId, getKafka),
    probeEnv: (dlqBaseline, maxLag = Number.MAX_SAFE_INTEGER) => ({ serviceUrls: context.serviceUrls, adminStates: () => serviceAdmin(context).readAll(), admin: getAdmin, dlqBaseline, maxLag }),
    invariantEnv: (signal) => ({ db, gatewayDb, redisMaster, kafka: getKafka, admin: getAdmin, ...(signal ? { signal } : {}) }),
    async close() {
      if (admin) await (await admin.catch(() => undefined))?.disconnect().catch(() => {});
      await Promise.allSettled([db.end(), gatewayDb.end()]);
    },
  };
}
