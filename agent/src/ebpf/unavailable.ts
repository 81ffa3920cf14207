/**
 * eBPF tracing cannot run here. `missing` says what is missing, `remedy` what to do; the agent
 * logs both and keeps its /proc collectors running.
 */
export class EbpfUnavailableError extends Error {
  constructor(
    readonly missing: string,
    readonly remedy: string,
  ) {
    super(`eBPF tracing is off: ${missing}. ${remedy}`);
    this.name = 'EbpfUnavailableError';
  }
}
