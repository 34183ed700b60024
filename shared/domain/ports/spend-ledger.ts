/**
 * An evaluation's budget as one counter every evaluator instance draws from. Amounts are whole
 * nano-dollars (1e-9 USD): DynamoDB adds them exactly, and a budget of a million dollars is still a safe
 * integer (1e15 < 2^53).
 */

/** Which evaluation's budget, and how large it is (the first reservation opens the ledger with it). */
export interface BudgetAccount {
  tenantId: string;
  evaluationId: string;
  budgetNano: number;
}

/** The ledger as stored. */
export interface SpendState {
  budgetNano: number;
  /** Budget minus settled spend minus reservations in flight. */
  remainingNano: number;
  /** Reservations not yet settled. */
  reservedNano: number;
  /** Settled spend: the actual cost of every call that ended. */
  spentNano: number;
  /** A reservation was refused: from then on every reservation is. */
  exhausted: boolean;
}

export interface SpendLedger {
  /**
   * Takes `amountNano` from the remaining budget, atomically across every evaluator instance: true when
   * the budget covered it. The first refusal marks the ledger exhausted, and every later reservation,
   * however small, is refused too, so no call starts once one could not.
   */
  reserve(account: BudgetAccount, amountNano: number): Promise<boolean>;
  /** Ends a reservation: `spentNano` is charged, the rest of `reservedNano` returns to the budget. */
  settle(account: BudgetAccount, reservedNano: number, spentNano: number): Promise<void>;
  /** The ledger as it stands; undefined before the first reservation. */
  read(tenantId: string, evaluationId: string): Promise<SpendState | undefined>;
}
