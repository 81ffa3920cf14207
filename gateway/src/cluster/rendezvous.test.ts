import { assignPartitions, ownerOf } from './rendezvous';

const partitions = Array.from({ length: 300 }, (_, i) => `node-${i}`);

describe('rendezvous ownership', () => {
  it('gives every partition exactly one owner among the members, the same on every call', () => {
    const members = ['gw-a', 'gw-b', 'gw-c'];
    const owned = assignPartitions(partitions, members);
    const all = [...owned.values()].flat();
    expect(all.sort()).toEqual([...partitions].sort());
    expect(assignPartitions(partitions, [...members].reverse())).toEqual(owned);
  });

  it('spreads partitions roughly evenly', () => {
    const owned = assignPartitions(partitions, ['gw-a', 'gw-b', 'gw-c']);
    for (const list of owned.values()) expect(list.length).toBeGreaterThan(60);
  });

  it('moves only the partitions of a member that leaves, and only to the others', () => {
    const before = new Map(partitions.map((p) => [p, ownerOf(p, ['a', 'b', 'c'])]));
    const after = new Map(partitions.map((p) => [p, ownerOf(p, ['a', 'c'])]));
    for (const p of partitions) {
      if (before.get(p) !== 'b') expect(after.get(p)).toBe(before.get(p));
      else expect(['a', 'c']).toContain(after.get(p));
    }
  });

  it('moves to a member that joins only partitions it now owns, from one of the others', () => {
    const before = new Map(partitions.map((p) => [p, ownerOf(p, ['a', 'b'])]));
    let moved = 0;
    for (const p of partitions) {
      const now = ownerOf(p, ['a', 'b', 'c']);
      if (now !== before.get(p)) {
        expect(now).toBe('c');
        moved++;
      }
    }
    expect(moved).toBeGreaterThan(60);
    expect(moved).toBeLessThan(140);
  });

  it('has no owner without members', () => {
    expect(ownerOf('node-1', [])).toBeUndefined();
  });
});
