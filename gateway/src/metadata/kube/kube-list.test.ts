import { KubeConfig } from '@kubernetes/client-node';
import { WATCHED_RESOURCES, kubeApis, listAll } from './resources';
import { FakeKubeApiServer } from '../../../../test/support/kube/fake-api-server';
import { FakeCluster } from '../../../../test/support/kube/fake-cluster';
import { opensslUnavailable, selfSignedCertificate } from '../../../../test/support/tls';
import { describeIfAvailable } from '../../../../test/support/system';

describeIfAvailable('listing a collection in pages', opensslUnavailable(), () => {
  let api: FakeKubeApiServer;
  const pods = WATCHED_RESOURCES.find((r) => r.name === 'pods')!;

  beforeEach(async () => {
    api = await FakeKubeApiServer.start(selfSignedCertificate());
    new FakeCluster(api).seed();
  });

  afterEach(() => api.close());

  function apis() {
    const kc = new KubeConfig();
    kc.loadFromFile(api.writeKubeconfig());
    return kubeApis(kc);
  }

  it('follows continue tokens and keeps the first page’s resourceVersion', async () => {
    const rv = String(api.resourceVersion());
    const list = await listAll(pods, apis(), 2);
    const names = list.items.map((p) => `${p.metadata!.namespace}/${p.metadata!.name}`);
    expect(new Set(names).size).toBe(6);
    expect([...names].sort()).toEqual(
      api
        .list('pods')
        .map((p) => `${p.metadata.namespace}/${p.metadata.name}`)
        .sort(),
    );
    expect(list.items).toHaveLength(6);
    expect(list.metadata!.resourceVersion).toBe(rv);
    const requests = api.requests.filter((r) => r.resource === 'pods');
    expect(requests.map((r) => Boolean(r.query.continue))).toEqual([false, true, true]);
    expect(requests.every((r) => r.query.limit === '2')).toBe(true);
  });

  it('starts over in one piece when the snapshot behind a continue token was compacted', async () => {
    const kube = apis();
    const compactAfterFirstPage = kube.core.listPodForAllNamespaces.bind(kube.core);
    let calls = 0;
    kube.core.listPodForAllNamespaces = async (param) => {
      const page = await compactAfterFirstPage(param);
      if (calls++ === 0) api.compact();
      return page;
    };
    const list = await listAll(pods, kube, 2);
    expect(list.items).toHaveLength(6);
    const requests = api.requests.filter((r) => r.resource === 'pods');
    // First page, a continue refused with 410 Gone, then one unpaged list.
    expect(requests.map((r) => [Boolean(r.query.continue), r.query.limit])).toEqual([
      [false, '2'],
      [true, '2'],
      [false, undefined],
    ]);
  });
});
