import { createPlatform, createStackContext, type PlatformSpec } from '../stack/index.ts';

// How many service instances a compose context has is a fact of the engine, not of the
// stack folder: the service-N containers that exist now (`consumers scale` adds and
// removes them). Asked once per command; where no engine answers, the context keeps the
// instances it derived (a read command then reports them as not answering).

/** The part of a Context this reads (not the type itself: context.ts imports this file). */
interface StackedContext {
  stack: { dir: string; portOffset: number } | null;
  platform: PlatformSpec | null;
  serviceUrls: string[];
  serviceAdmin: { urls: string[] };
}

export async function withComposeInstances<C extends StackedContext>(c: C, explicitServices: boolean): Promise<C> {
  if (c.platform?.kind !== 'compose' || !c.stack || explicitServices) return c;
  const stack = createStackContext({ stackDir: c.stack.dir, portOffset: c.stack.portOffset });
  try {
    const platform = await createPlatform(stack, c.platform);
    const instances = (await platform.names()).filter((n) => n.startsWith('service-')).map((n) => Number(n.slice('service-'.length)));
    if (instances.length === 0) return c;
    const sorted = instances.sort((a, b) => a - b);
    const url = (port: number) => `http://${stack.topology.host}:${port}`;
    return { ...c, serviceUrls: sorted.map((n) => url(stack.topology.servicePort(n))), serviceAdmin: { ...c.serviceAdmin, urls: sorted.map((n) => url(stack.topology.serviceAdminPort(n))) } };
  } catch {
    return c;
  }
}
