// Reads `kafka-broker-api-versions` (BrokerApiVersionsCommand): per broker a header line
// "host:port (id: N rack: R) -> (" then one line per API: "Name(key): min to max
// [usable: v]," or "Name(key): UNSUPPORTED,", closed by ")".

export interface ApiRange {
  min: number;
  max: number;
  /** The version this tool's client would use; null when none it knows. */
  usable: number | null;
}

export interface BrokerApis {
  address: string;
  id: number;
  rack: string | null;
  /** By API name; null = the broker does not support it. */
  apis: Record<string, ApiRange | null>;
}

export function parseBrokerApiVersions(text: string): BrokerApis[] {
  const brokers: BrokerApis[] = [];
  let current: BrokerApis | undefined;
  for (const line of text.split('\n')) {
    const head = /^(\S+) \(id: (-?\d+) rack: (\S+)\) -> \($/.exec(line.trim());
    if (head) {
      current = { address: head[1]!, id: Number(head[2]), rack: head[3] === 'null' ? null : head[3]!, apis: {} };
      brokers.push(current);
      continue;
    }
    if (!current) continue;
    const api = /^(\w+)\((\d+)\):\s*(?:(\d+) to (\d+)(?: \[usable: (\d+|NONE)\])?|UNSUPPORTED)/.exec(line.trim());
    if (api) {
      current.apis[api[1]!] = api[3] === undefined ? null : { min: Number(api[3]), max: Number(api[4]), usable: api[5] === undefined || api[5] === 'NONE' ? null : Number(api[5]) };
    }
  }
  return brokers;
}

const KEY_APIS = ['Produce', 'Fetch', 'Metadata'];

/** "71 APIs (17 unsupported); Produce v0-11, Fetch v0-17, Metadata v0-12". */
export function summarizeApis(apis: Record<string, ApiRange | null>): string {
  const all = Object.entries(apis);
  const supported = all.filter(([, r]) => r !== null).length;
  const keys = KEY_APIS.filter((k) => apis[k]).map((k) => `${k} v${apis[k]!.min}-${apis[k]!.max}`);
  return `${supported} APIs (${all.length - supported} unsupported)${keys.length ? `; ${keys.join(', ')}` : ''}`;
}
