import net from 'node:net';
import tls from 'node:tls';
import { Kafka, logLevel, type ISocketFactory } from 'kafkajs';

export interface ClusterView {
  brokers: Array<{ nodeId: number; host: string; port: number }>;
  controller: number | null;
}

/**
 * Every connection the client opens goes to `address`, whichever broker kafkajs meant
 * to reach: after bootstrapping it sends each request to a broker picked at random from
 * the metadata, and a probe of one broker must hear that broker alone.
 */
function pinnedTo(address: string): ISocketFactory {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i);
  const port = Number(address.slice(i + 1));
  return ({ ssl, onConnect }) => {
    const socket = ssl ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, onConnect) : net.connect({ host, port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    return socket;
  };
}

/**
 * Asks one broker, and only that one, for the cluster's metadata. KRaft lists only live,
 * unfenced brokers, so `brokers.length` counts who is really serving.
 */
export async function describeClusterVia(address: string): Promise<ClusterView> {
  const kafka = new Kafka({
    clientId: 'ticketctl-probe',
    brokers: [address],
    socketFactory: pinnedTo(address),
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
