// Report 4.3.1, the pure part: from the SUCCESS payments of (user, seat) pairs that were
// paid more than once, and from the gateway's ledger, decide which payment each pair keeps
// (the one whose hold owns the seat; the first when none does), which are the duplicates, and which gateway charges no successful payment
// accounts for (orphans: money taken, nothing sold). No I/O here, so the rules have unit
// tests; duplicate-sources.ts reads the rows.

export interface SuccessPayment {
  paymentTxId: string;
  userId: string;
  seatId: number;
  amount: number;
  createdAt: string;
  updatedAt: string;
  gatewayChargeId: number | null;
  /** Its hold is PAID and the seat SOLD under that hold: this payment is the one the seat belongs to. */
  ownsSeat: boolean;
}

export interface LedgerCharge {
  id: number;
  paymentTxId: string;
  amount: number;
  currency: string;
  status: 'CHARGED' | 'DECLINED';
  createdAt: string;
}

/** What the service database says about the payment a charge names (undefined: no such row). */
export interface ChargeOwner {
  status: string;
  gatewayChargeId: number | null;
}

export interface DuplicatePayment extends SuccessPayment {
  role: 'kept' | 'duplicate';
}

export interface DuplicateGroup {
  userId: string;
  seatId: number;
  kept: DuplicatePayment;
  duplicates: DuplicatePayment[];
}

export interface OrphanCharge {
  chargeId: number;
  paymentTxId: string;
  amount: number;
  currency: string;
  createdAt: string;
  /** The service's status for that payment, or null when the service has no such payment. */
  paymentStatus: string | null;
  why: string;
}

export interface DuplicateReport {
  groups: DuplicateGroup[];
  orphanCharges: OrphanCharge[];
  /** Unrefunded charges of payments still PENDING: the saga may be about to record them. */
  inFlightCharges: number;
  summary: { pairs: number; duplicates: number; duplicateAmount: number; orphanCharges: number; orphanAmount: number };
  clean: boolean;
}

const byTime = (a: SuccessPayment, b: SuccessPayment) => a.createdAt.localeCompare(b.createdAt) || a.paymentTxId.localeCompare(b.paymentTxId);
/** The payment that owns the seat first, then by time: the one kept is the one the customer has the seat for. */
const keptFirst = (a: SuccessPayment, b: SuccessPayment) => Number(b.ownsSeat) - Number(a.ownsSeat) || byTime(a, b);

/** Groups SUCCESS payments by (user, seat); a group of one is not a duplicate. */
export function groupDuplicates(payments: SuccessPayment[]): DuplicateGroup[] {
  const pairs = new Map<string, SuccessPayment[]>();
  for (const p of payments) {
    const key = `${p.userId}\u0000${p.seatId}`;
    pairs.set(key, [...(pairs.get(key) ?? []), p]);
  }
  const groups: DuplicateGroup[] = [];
  for (const list of pairs.values()) {
    if (list.length < 2) continue;
    const [first, ...rest] = [...list].sort(keptFirst);
    groups.push({ userId: first!.userId, seatId: first!.seatId, kept: { ...first!, role: 'kept' }, duplicates: rest.map((p) => ({ ...p, role: 'duplicate' })) });
  }
  return groups.sort((a, b) => byTime(a.kept, b.kept));
}

/**
 * A CHARGED, unrefunded charge is accounted for when its payment is SUCCESS and names this
 * charge (or names none yet). A PENDING payment's charge is in flight, not an orphan.
 */
export function findOrphans(charges: LedgerCharge[], refundedChargeIds: Set<number>, owners: Map<string, ChargeOwner>): { orphans: OrphanCharge[]; inFlight: number } {
  const orphans: OrphanCharge[] = [];
  let inFlight = 0;
  for (const c of charges) {
    if (c.status !== 'CHARGED' || refundedChargeIds.has(c.id)) continue;
    const owner = owners.get(c.paymentTxId);
    const base = { chargeId: c.id, paymentTxId: c.paymentTxId, amount: c.amount, currency: c.currency, createdAt: c.createdAt, paymentStatus: owner?.status ?? null };
    if (!owner) {
      orphans.push({ ...base, why: 'no payment with this id in the service database' });
    } else if (owner.status === 'PENDING') {
      inFlight++;
    } else if (owner.status !== 'SUCCESS') {
      orphans.push({ ...base, why: `the payment is ${owner.status}, yet this charge was never refunded` });
    } else if (owner.gatewayChargeId !== null && owner.gatewayChargeId !== c.id) {
      orphans.push({ ...base, why: `the payment succeeded with charge ${owner.gatewayChargeId}; this is a second charge` });
    }
  }
  return { orphans, inFlight };
}

export function buildReport(groups: DuplicateGroup[], orphans: OrphanCharge[], inFlightCharges: number): DuplicateReport {
  const dups = groups.flatMap((g) => g.duplicates);
  return {
    groups,
    orphanCharges: orphans,
    inFlightCharges,
    summary: {
      pairs: groups.length,
      duplicates: dups.length,
      duplicateAmount: dups.reduce((s, p) => s + p.amount, 0),
      orphanCharges: orphans.length,
      orphanAmount: orphans.reduce((s, o) => s + o.amount, 0),
    },
    clean: groups.length === 0 && orphans.length === 0,
  };
}
