import { Redis } from 'ioredis';
import { splitHostPort } from '../context.ts';

/**
 * One command to a Redis or Sentinel at "host:port", then close. No retries and no
 * offline queue: a check must say "down" fast, not wait for a reconnect.
 */
export async function redisOnce(address: string, command: string, ...args: string[]): Promise<unknown> {
  const { host, port } = splitHostPort(address);
  const client = new Redis({
    host,
    port,
    lazyConnect: true,
    connectTimeout: 1500,
    commandTimeout: 2000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => {}); // surfaced through the rejected command instead
  try {
    await client.connect();
    return await client.call(command, ...args);
  } finally {
    client.disconnect();
  }
}
