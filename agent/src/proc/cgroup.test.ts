import { parseCgroup } from './cgroup';

const ID = 'a3f1e6c0b2d94e0f8c7b6a5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f';
const UID = '0b8f2d3e-1a4c-4b5d-9e6f-7a8b9c0d1e2f';
const UID_ = UID.replace(/-/g, '_');

describe('parseCgroup', () => {
  it.each([
    [
      'cgroup v2, systemd driver, containerd',
      `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/cri-containerd-${ID}.scope\n`,
    ],
    [
      'cgroup v2, systemd driver, cri-o, guaranteed pod',
      `0::/kubepods.slice/kubepods-pod${UID_}.slice/crio-${ID}.scope\n`,
    ],
    ['cgroup v2, cgroupfs driver', `0::/kubepods/besteffort/pod${UID}/${ID}\n`],
    [
      'cgroup v1, cgroupfs driver, docker',
      `12:memory:/kubepods/burstable/pod${UID}/${ID}\n11:cpu,cpuacct:/kubepods/burstable/pod${UID}/${ID}\n1:name=systemd:/kubepods/burstable/pod${UID}/${ID}\n`,
    ],
    [
      'cgroup v1, systemd driver, docker',
      `9:pids:/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/docker-${ID}.scope\n`,
    ],
  ])('finds container and pod in %s', (_name, text) => {
    expect(parseCgroup(text)).toEqual({ containerId: ID, podUid: UID });
  });

  it('finds a container outside Kubernetes, with no pod', () => {
    expect(parseCgroup(`0::/system.slice/docker-${ID}.scope\n`)).toEqual({
      containerId: ID,
      podUid: '',
    });
  });

  it("does not take cri-o's monitor process for the container", () => {
    expect(
      parseCgroup(`0::/kubepods.slice/kubepods-pod${UID_}.slice/crio-conmon-${ID}.scope\n`),
    ).toEqual({ containerId: '', podUid: UID });
  });

  it('finds nothing for host processes and garbage', () => {
    expect(parseCgroup('0::/user.slice/user-0.slice/session-1.scope\n')).toEqual({
      containerId: '',
      podUid: '',
    });
    expect(parseCgroup('0::/\n')).toEqual({ containerId: '', podUid: '' });
    expect(parseCgroup('')).toEqual({ containerId: '', podUid: '' });
    expect(parseCgroup('\u0000::::pod/zz')).toEqual({ containerId: '', podUid: '' });
  });
});
