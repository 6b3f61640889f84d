import { Kafka, logLevel } from 'kafkajs';

export interface ClusterView {
  brokers: Array<{ nodeId: number; host: string; port: number }>;
  controller: number | null;
}

/**
 * Asks one broker (given as the only seed) for the cluster's metadata. KRaft lists only
 * live, unfenced brokers, so `brokers.length` counts who is really serving.
 */
export async function describeClusterVia(address: string): Promise<ClusterView> {
  const kafka = new Kafka({
    clientId: 'ticketctl-probe',
    brokers: [address],
    connectionTimeout: 1500,
    requestTimeout: 3000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    return await admin.describeCluster();
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
