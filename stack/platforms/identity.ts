import { OpsError } from '../../lib/index.ts';
import type { Platform } from './types.ts';

// Never kill or restart the wrong broker: the unit named kafka-<id> must carry node.id <id>
// in its log dir (meta.properties, written by Kafka's storage format and checked by the
// broker at every start). A renamed unit, or a volume moved to another service, is refused
// before anything is touched.

/** The broker id a unit's name says (kafka-2 -> 2), or null for a unit that is no broker. */
export function brokerIdOf(name: string): number | null {
  const m = /^kafka-(\d+)$/.exec(name);
  return m ? Number(m[1]) : null;
}

/** Throws BROKER_IDENTITY_MISMATCH (exit 2) unless the running unit carries the id its name says; a no-op for other units. */
export async function assertBrokerIdentity(platform: Platform, name: string, label: string): Promise<void> {
  const id = brokerIdOf(name);
  if (id === null) return;
  const carried = await platform.brokerIdentity(name);
  if (carried === id) return;
  throw new OpsError(`${name} (${label}) carries broker id ${carried ?? 'unknown'} in its log dir, not ${id}. Nothing was changed.`, {
    code: 'BROKER_IDENTITY_MISMATCH',
    exitCode: 2,
    hint: `Check which unit runs broker ${id} (\`ticketctl stack status\`, \`ticketctl kafka brokers\`); a unit whose data belongs to another broker needs a person, not a restart.`,
  });
}
