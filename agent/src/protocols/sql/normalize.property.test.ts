import fc from 'fast-check';
import { fuzzParams } from '../../../../test/support/fuzz';
import { looksLikeMysql } from '../mysql/mysql-infer';
import { looksLikePgsql } from '../pgsql/pgsql-infer';
import { MASKED_LITERAL, maskMessageValues, maskSqlLiterals } from './mask';
import {
  normalizeMysqlJson,
  normalizePgsqlJson,
  normalizeSql,
} from '../../../../shared/common/sql/normalize';
import { scanSql } from '../../../../shared/common/sql/sql-fragments';

/** SQL-shaped text: tokens of both dialects, including the tricky ones, in any order. */
const sqlArb = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc
    .array(
      fc.constantFrom(
        'SELECT',
        ' ',
        'FROM t',
        'WHERE',
        'x',
        '=',
        '-',
        '42',
        '1.5e-3',
        '.5',
        "'a''b'",
        "'it\\'s'",
        '"q"',
        '`b`',
        "E'\\n'",
        "X'0F'",
        "_utf8'u'",
        '$1',
        '$2',
        '$$d$$',
        '$t$x$t$',
        '?',
        '@v',
        '--c\n',
        '# h\n',
        '/* b */',
        '/*',
        '*/',
        '(',
        ')',
        ',',
        'varchar(20)',
        'LIMIT 5',
        'NULL',
        'IS NOT NULL',
        'true',
        '0x1F',
        '1abc',
        '\n',
        "'",
        '"',
        '$',
      ),
      { maxLength: 40 },
    )
    .map((t) => t.join(' ')),
);

describe('SQL normalization under arbitrary text', () => {
  it('never throws; a normalized statement normalizes to itself with its own values', () => {
    fc.assert(
      fc.property(sqlArb, fc.constantFrom('pgsql' as const, 'mysql' as const), (sql, dialect) => {
        const r = normalizeSql(sql, dialect, ['v1', 'v2', 'v3']);
        if ('error' in r) return;
        // A placeholder glued to a name reads as part of it ($ is a name character): skip those.
        fc.pre(!/[\w$]\$\d|\$\d+[\w$]/.test(r.query));
        expect(normalizeSql(r.query, dialect, r.params)).toEqual(r);
      }),
      fuzzParams(1000),
    );
  });

  it('masks every constant: what is left of them reads as masks alone', () => {
    const masks = new RegExp(`^${MASKED_LITERAL}(\\s*${MASKED_LITERAL})*$`.replace(/\?/g, '\\?'));
    fc.assert(
      fc.property(sqlArb, fc.constantFrom('pgsql' as const, 'mysql' as const), (sql, dialect) => {
        const masked = maskSqlLiterals(sql, dialect);
        const scan = scanSql(masked, dialect);
        for (const f of scan.fragments) {
          if (f.kind === 'constant') expect(masked.slice(f.start, f.end)).toMatch(masks);
        }
      }),
      fuzzParams(1000),
    );
  });

  it('the PxL functions always return JSON, and inference never throws on random bytes', () => {
    fc.assert(
      fc.property(
        sqlArb,
        fc.string(),
        fc.integer(),
        fc.uint8Array({ maxLength: 200 }),
        (sql, cmd, n, bytes) => {
          expect(() => JSON.parse(normalizePgsqlJson(sql, cmd))).not.toThrow();
          expect(() => JSON.parse(normalizePgsqlJson(sql, 'Execute'))).not.toThrow();
          expect(() => JSON.parse(normalizeMysqlJson(sql, n))).not.toThrow();
          expect(typeof maskMessageValues(sql)).toBe('string');
          for (const side of ['request', 'response'] as const) {
            expect(typeof looksLikePgsql(bytes, side)).toBe('boolean');
            expect(typeof looksLikeMysql(bytes, side)).toBe('boolean');
          }
        },
      ),
      fuzzParams(1000),
    );
  });
});
