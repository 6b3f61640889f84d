import { redisCommandAt } from '../stack/index.ts';
import { splitHostPort } from './context.ts';

/** One command to a Redis or Sentinel at "host:port", then close (fails fast, never retries). */
export function redisOnce(address: string, command: string, ...args: string[]): Promise<unknown> {
  const { host, port } = splitHostPort(address);
  return redisCommandAt(host, port, command, args, 1500);
}
