import { Command, CommanderError } from 'commander';
import { ExportOptions, exportFlags, withExportOptions } from './export-options';

/** Parses `argv` as a server command with the export flags, and returns them as config keys. */
function flagsOf(argv: string[]): ReturnType<typeof exportFlags> {
  const cmd = withExportOptions(new Command('gateway'))
    .exitOverride()
    .configureOutput({ writeErr: () => undefined });
  cmd.parse(argv, { from: 'user' });
  return exportFlags(cmd.opts<ExportOptions>());
}

describe('the export flags', () => {
  it('become the config keys they stand for, and no others', () => {
    expect(
      flagsOf([
        '--otlp-endpoint',
        'http://collector:4318',
        '--otlp-protocol',
        'http/json',
        '--remote-write-url',
        'http://prom:9090/api/v1/write',
        '--export-interval',
        '30s',
        '--export-presets',
        'http-metrics,http-spans',
      ]),
    ).toEqual({
      'export.otlp.endpoint': 'http://collector:4318',
      'export.otlp.protocol': 'http/json',
      'export.remoteWrite.url': 'http://prom:9090/api/v1/write',
      'export.interval': '30s',
      'export.presets': 'http-metrics,http-spans',
      'export.scripts': undefined,
    });
  });

  it('collect every --export-script, each with --every when it is given', () => {
    expect(
      flagsOf(['--export-script', 'a.pxl', '--export-script', 'b.pxl'])['export.scripts'],
    ).toEqual([{ file: 'a.pxl' }, { file: 'b.pxl' }]);
    expect(flagsOf(['--export-script', 'a.pxl', '--every', '1m'])['export.scripts']).toEqual([
      { file: 'a.pxl', every: '1m' },
    ]);
  });

  it('refuse an OTLP protocol that is not one of the three, naming them', () => {
    let error: unknown;
    try {
      flagsOf(['--otlp-protocol', 'udp']);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CommanderError);
    expect((error as CommanderError).message).toMatch(
      /option '--otlp-protocol <protocol>' argument 'udp' is invalid\. Allowed choices are grpc, http\/protobuf, http\/json\./,
    );
  });
});
