import { gatewayTable } from '../../test/support/tables';
import { framesToAnnotations } from './annotations';
import { tableToFrame } from './frames';

describe('framesToAnnotations', () => {
  it('makes one event per row, with regions, titles and tags', () => {
    const frame = tableToFrame(
      gatewayTable(
        'deploys',
        ['time_:TIME64NS', 'time_end:TIME64NS', 'title:STRING', 'text:STRING', 'tags:STRING'],
        [
          ['1000000000', '5000000000', 'rollout', 'cart v2', 'deploy, cart'],
          ['7000000000', '7000000000', 'restart', 'web', '["pod","web"]'],
        ],
      ),
    );
    expect(framesToAnnotations([frame])).toEqual([
      {
        time: 1000,
        timeEnd: 5000,
        isRegion: true,
        title: 'rollout',
        text: 'cart v2',
        tags: ['deploy', 'cart'],
      },
      { time: 7000, title: 'restart', text: 'web', tags: ['pod', 'web'] },
    ]);
  });

  it('describes a row by its string columns when it has no text column', () => {
    const frame = tableToFrame(
      gatewayTable(
        'errors',
        ['time_:TIME64NS', 'service:STRING', 'req_path:STRING', 'resp_status:INT64'],
        [['2000000000', 'cart', '/pay', 503]],
      ),
    );
    expect(framesToAnnotations([frame])).toEqual([
      { time: 2000, text: 'service: cart\nreq_path: /pay', tags: [] },
    ]);
  });

  it('gives nothing for frames without time', () => {
    const frame = tableToFrame(gatewayTable('x', ['a:STRING'], [['b']]));
    expect(framesToAnnotations([frame])).toEqual([]);
  });
});
