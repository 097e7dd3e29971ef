/**
 * Quorum arithmetic, in one place so the engine, certificate verification and the tests
 * can never disagree about it.
 *
 * With N validators of which at most f = floor((N-1)/3) are Byzantine, a quorum must be
 * large enough that any two quorums share at least f+1 validators (so at least one honest
 * validator, who never signs two different values for one (height, view, phase)):
 *   2q - N >= f + 1   <=>   q >= (N + f + 1) / 2,
 * and small enough that the N - f validators that are not faulty can form one (liveness).
 * The smallest such q is ceil((N + f + 1) / 2). When N = 3f+1 that is exactly 2f+1; for other
 * N the usual "2f+1" is too small: N = 20 gives f = 6 and 2f+1 = 13, but two quorums of 13
 * out of 20 may overlap in only 6 validators, all possibly Byzantine. q(20) = 14.
 */
export function faultTolerance(validatorCount: number): number {
  return Math.floor((validatorCount - 1) / 3);
}

export function quorumSize(validatorCount: number): number {
  const f = faultTolerance(validatorCount);
  return Math.ceil((validatorCount + f + 1) / 2);
}

/** Leader of (height, view): validators[(height + view) mod N]. */
export function leaderOf(height: number, view: number, validatorCount: number): number {
  return (height + view) % validatorCount;
}
