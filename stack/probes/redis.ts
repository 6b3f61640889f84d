import { Redis } from 'ioredis';

/**
 * Sends one command to a Redis or Sentinel port and closes. No retries and no offline
 * queue: a probe must answer "down" fast, not wait for a reconnect.
 */
export async function redisCommand(port: number, command: string, ...args: string[]): Promise<unknown> {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    connectTimeout: 1000,
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
