import { createHash } from 'node:crypto';

/**
 * Rendezvous (highest random weight) hashing: each partition goes to the member whose hash with
 * it is highest. Every gateway computes the same owners from the same member set, and a member
 * that joins or leaves moves only the partitions it wins or held, the fewest moves possible.
 */
export function ownerOf(partition: string, members: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestWeight = -1n;
  for (const member of members) {
    const weight = weightOf(member, partition);
    if (weight > bestWeight || (weight === bestWeight && best !== undefined && member < best)) {
      best = member;
      bestWeight = weight;
    }
  }
  return best;
}

/** Each member's partitions (every member appears, perhaps with none), sorted. */
export function assignPartitions(
  partitions: readonly string[],
  members: readonly string[],
): Map<string, string[]> {
  const owned = new Map<string, string[]>(members.map((m) => [m, []]));
  for (const p of [...partitions].sort()) {
    const owner = ownerOf(p, members);
    if (owner !== undefined) owned.get(owner)!.push(p);
  }
  return owned;
}

function weightOf(member: string, partition: string): bigint {
  // The lengths keep ("ab", "c") and ("a", "bc") apart.
  const digest = createHash('sha256')
    .update(`${member.length}:${member}/${partition.length}:${partition}`)
    .digest();
  return digest.readBigUInt64BE(0);
}
