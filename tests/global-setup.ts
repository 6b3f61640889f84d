import { stackUp } from '../stack/index.ts';
import { testStack } from './helpers/stack.ts';

// `node --test --test-global-setup`: bring the real stack up once (provisioning on a fresh
// machine) before any test file runs. Tests leave it running and healthy.
export async function globalSetup(): Promise<void> {
  const progress = {
    step: async <T>(title: string, fn: () => Promise<T>) => {
      const t0 = Date.now();
      process.stderr.write(`[stack] ${title} ...\n`);
      const v = await fn();
      process.stderr.write(`[stack] ${title}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
      return v;
    },
    info: (m: string) => void process.stderr.write(`[stack] ${m}\n`),
  };
  await stackUp(testStack(), { progress });
}
