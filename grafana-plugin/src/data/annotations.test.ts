import { framesToAnnotations } from './annotations';
import { tableToFrame } from './frames';

describe('framesToAnnotations', () => {
  it('makes one event per row, with regions, titles and tags', () => {
    const frame = tableToFrame({
      name: 'deploys',
      columns: [
        { name: 'time_', type: 'TIME64NS', semanticType: 'ST_NONE' },
        { name: 'time_end', type: 'TIME64NS', semanticType: 'ST_NONE' },
        { name: 'title', type: 'STRING', semanticType: 'ST_NONE' },
        { name: 'text', type: 'STRING', semanticType: 'ST_NONE' },
        { name: 'tags', type: 'STRING', semanticType: 'ST_NONE' },
      ],
      rows: [
        ['1000000000', '5000000000', 'rollout', 'cart v2', 'deploy, cart'],
        ['7000000000', '7000000000', 'restart', 'web', '["pod","web"]'],
      ],
    });
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
    const frame = tableToFrame({
      name: 'errors',
      columns: [
        { name: 'time_', type: 'TIME64NS', semanticType: 'ST_NONE' },
        { name: 'service', type: 'STRING', semanticType: 'ST_NONE' },
        { name: 'req_path', type: 'STRING', semanticType: 'ST_NONE' },
        { name: 'resp_status', type: 'INT64', semanticType: 'ST_NONE' },
      ],
      rows: [['2000000000', 'cart', '/pay', 503]],
    });
    expect(framesToAnnotations([frame])).toEqual([
      { time: 2000, text: 'service: cart\nreq_path: /pay', tags: [] },
    ]);
  });

  it('gives nothing for frames without time', () => {
    const frame = tableToFrame({
      name: 'x',
      columns: [{ name: 'a', type: 'STRING', semanticType: 'ST_NONE' }],
      rows: [['b']],
    });
    expect(framesToAnnotations([frame])).toEqual([]);
  });
});
