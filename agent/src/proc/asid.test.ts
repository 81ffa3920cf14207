import { asidForNode, nodeName } from './asid';

describe('the default asid', () => {
  it('comes from $PXGATE_NODE_NAME, and from the hostname without it', () => {
    const host = () => 'pod-abc';
    expect(nodeName({ PXGATE_NODE_NAME: 'node-1' }, host)).toBe('node-1');
    expect(nodeName({ PXGATE_NODE_NAME: '  ' }, host)).toBe('pod-abc');
    expect(nodeName({}, host)).toBe('pod-abc');
  });

  it('is a stable nonzero 32-bit id per node name (FNV-1a)', () => {
    // FNV-1a 32 of "a" is 0xe40c292c (the algorithm's published test vector).
    expect(asidForNode('a')).toBe(0xe40c292c);
    expect(asidForNode('ip-10-0-1-7.ec2.internal')).toBe(asidForNode('ip-10-0-1-7.ec2.internal'));
    const names = Array.from({ length: 5000 }, (_, i) => `gke-pool-1-node-${i}`);
    const ids = new Set(names.map(asidForNode));
    expect(ids.size).toBe(names.length);
    for (const id of ids) {
      expect(Number.isInteger(id) && id > 0 && id <= 0xffffffff).toBe(true);
    }
  });
});
