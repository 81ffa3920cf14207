import fc from 'fast-check';
import { fuzzParams } from '../../test/support/fuzz';
import { ClusterNameError, ClusterSubjects, decodeToken, encodeToken } from './cluster-subjects';

const subjects = new ClusterSubjects('prod-1');

describe('node names as subject tokens (property)', () => {
  it('encodes any name into one safe token and decodes it back', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 120, unit: 'grapheme' }), (name) => {
        const token = encodeToken(name);
        expect(token).toMatch(/^[A-Za-z0-9_=-]+$/);
        expect(decodeToken(token)).toBe(name);
        expect(subjects.parseIngest(subjects.ingest(name, 'http_events'))).toEqual({
          node: name,
          table: 'http_events',
        });
      }),
      fuzzParams(300, { seed: 16 }),
    );
  });

  it('answers lying tokens and subjects with its own error only', () => {
    const lying = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.stringMatching(/^[A-Za-z0-9=.*> -]{0,40}$/),
      fc.constantFrom('=2', '=zz', '=41', 'a=2E', '=C3', '=FF', 'a.b', '>', ''),
    );
    fc.assert(
      fc.property(lying, (text) => {
        for (const f of [() => decodeToken(text), () => subjects.parseIngest(text)]) {
          try {
            f();
          } catch (err) {
            expect(err).toBeInstanceOf(ClusterNameError);
          }
        }
      }),
      fuzzParams(500, { seed: 17 }),
    );
  });

  it('refuses needless escapes and raw dots, so one name has one token', () => {
    expect(() => decodeToken('=41')).toThrow(ClusterNameError);
    expect(() => decodeToken('a.b')).toThrow(ClusterNameError);
    expect(decodeToken('ip-10-0-0-1=2Eec2=2Einternal')).toBe('ip-10-0-0-1.ec2.internal');
  });

  it('refuses a cluster name that would widen a subject', () => {
    expect(() => new ClusterSubjects('a.b')).toThrow(ClusterNameError);
    expect(() => new ClusterSubjects('*')).toThrow(ClusterNameError);
  });
});
