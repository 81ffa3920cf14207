/**
 * The rule for tests that need a system part: on a developer machine they may skip with a
 * one-line reason; with CI=true a missing part fails the run.
 */
export function onCi(): boolean {
  return process.env.CI === 'true' || process.env.CI === '1';
}

/**
 * A describe block that runs when `unavailable` is undefined. When it names a missing part, the
 * block is skipped with that reason on a laptop, and fails in CI.
 */
export function describeIfAvailable(
  name: string,
  unavailable: string | undefined,
  fn: () => void,
): void {
  if (unavailable === undefined) {
    describe(name, fn);
    return;
  }
  if (onCi()) {
    describe(name, () => {
      it('has what it needs (CI=true makes a missing system part a failure)', () => {
        throw new Error(`${name}: ${unavailable}`);
      });
    });
    return;
  }
  process.stderr.write(`skipping "${name}": ${unavailable}\n`);
  describe.skip(name, fn);
}
