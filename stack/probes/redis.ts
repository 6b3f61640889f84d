import { Redis } from 'ioredis';

/**
 * Sends one command to a Redis or Sentinel and closes. No retries and no offline queue:
 * a probe must answer "down" fast, not wait for a reconnect.
 */
export async function redisCommandAt(host: string, port: number, command: string, args: string[] = [], connectTimeoutMs = 1000): Promise<unknown> {
  const client = new Redis({
    host,
    port,
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
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

/** The same, on the stack's loopback address. */
export function redisCommand(port: number, command: string, ...args: string[]): Promise<unknown> {
  return redisCommandAt('127.0.0.1', port, command, args);
}
