import { Registry } from 'prom-client';
import { silentLogger } from '../../shared/common/logger';
import { validateConfig } from '../../cli/config/load';
import { SinkSet } from '../../gateway/src/exporters/sink-set';

/**
 * A started sink set with one OTLP sink configured by `otlp` (over the defaults: retries every
 * 20-50 ms for up to 20 s, so that tests of retries are quick) and no /metrics sink.
 */
export function startedOtlpSinks(
  otlp: Record<string, unknown>,
  registry: Registry = new Registry(),
): SinkSet {
  const config = validateConfig({
    export: {
      otlp: { retry: { initialInterval: '20ms', maxInterval: '50ms', maxElapsed: '20s' }, ...otlp },
      prometheus: { enabled: false },
    },
  });
  const set = SinkSet.create(config.export, registry, silentLogger());
  set.start();
  return set;
}

/**
 * The end of a sink test: shuts its sink set down (draining), then closes its receiver; either
 * may be missing when the test failed before making it.
 */
export async function closeSinkTest(
  set: SinkSet | undefined,
  receiver: { close(): Promise<void> } | undefined,
): Promise<void> {
  await set?.shutdown();
  await receiver?.close();
}
