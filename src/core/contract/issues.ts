/** One contract violation: where (JSON pointer) and what (a plain sentence). */
export interface ContractIssue {
  pointer: string;
  message: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: ContractIssue[] };
