// Reads `kafka-metadata-quorum describe --status` (MetadataQuorumCommand): "Key: value"
// lines; CurrentVoters is JSON, either ids (Kafka <= 3.8) or objects with an `id` (3.9).

export interface QuorumStatus {
  clusterId: string | null;
  leaderId: number;
  leaderEpoch: number;
  highWatermark: number;
  maxFollowerLag: number;
  maxFollowerLagTimeMs: number;
  voters: number[];
  observers: number[];
}

export function parseQuorumStatus(text: string): QuorumStatus {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s*(.*)$/.exec(line.trim());
    if (m) fields.set(m[1]!, m[2]!.trim());
  }
  const num = (key: string): number => {
    const raw = fields.get(key);
    const n = Number(raw);
    if (raw === undefined || raw === '' || !Number.isFinite(n)) throw new Error(`MetadataQuorumCommand printed no ${key} (got: ${text.trim().slice(0, 200) || 'nothing'})`);
    return n;
  };
  const ids = (key: string): number[] => {
    const raw = fields.get(key) ?? '[]';
    try {
      return (JSON.parse(raw) as Array<number | { id: number }>).map((v) => (typeof v === 'number' ? v : v.id));
    } catch {
      return [...raw.matchAll(/"id":\s*(\d+)|\b(\d+)\b/g)].map((m) => Number(m[1] ?? m[2]));
    }
  };
  return {
    clusterId: fields.get('ClusterId') ?? null,
    leaderId: num('LeaderId'),
    leaderEpoch: num('LeaderEpoch'),
    highWatermark: num('HighWatermark'),
    maxFollowerLag: num('MaxFollowerLag'),
    maxFollowerLagTimeMs: num('MaxFollowerLagTimeMs'),
    voters: ids('CurrentVoters'),
    observers: ids('CurrentObservers'),
  };
}
