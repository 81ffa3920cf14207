import { interpolateScript, TemplateValues } from './interpolate';
import { macroValues } from './macros';

const noVariables: TemplateValues = { resolve: () => undefined };

describe('time macros', () => {
  const macros = macroValues(1_732_700_000_123, 1_732_700_300_456, 15_000);

  it('are integer nanoseconds, and the interval a duration in ns (or ms)', () => {
    const script = 'a = $__from\nb = ${__to}\nc = $__interval\nd = $__interval_ms';
    expect(interpolateScript(script, macros, noVariables)).toBe(
      'a = 1732700000123000000\nb = 1732700300456000000\nc = 15000000000\nd = 15000',
    );
  });

  it('keep more precision than a double would', () => {
    const text = interpolateScript('$__from', macroValues(1_732_700_000_999, 0, 1), noVariables);
    expect(BigInt(text)).toBe(1_732_700_000_999n * 1_000_000n);
  });

  it('are filled inside strings but not in comments, and longer names are not macros', () => {
    const script = "x = '$__from' # from $__from\ny = $__from_x";
    expect(interpolateScript(script, macros, noVariables)).toBe(
      "x = '1732700000123000000' # from $__from\ny = $__from_x",
    );
  });
});
