# syntax=docker/dockerfile:1.7
#
# pxgate: one image for both roles.
#   gateway: `pxgate gateway` (the default command), as the unprivileged user 10001;
#   agent:   `pxgate agent`, which deploy/kubernetes/agent-daemonset.yaml runs as root with only
#            CAP_BPF, CAP_PERFMON and CAP_SYS_RESOURCE (it loads bpf/*.bpf.o through libbpf).
#
# Build: docker build -t pxgate:0.1.0 .
# The base is pinned to an exact Node.js and Debian release; pin its digest too when you publish
# (docker buildx imagetools inspect node:20.20.2-bookworm-slim).
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Dependencies first, so a source change does not reinstall them. No install scripts run:
# DuckDB, koffi and the rest ship prebuilt binaries for linux-x64 and linux-arm64.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build \
  && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
  && mkdir -p bpf scripts/px

FROM ${NODE_IMAGE}
# libbpf1: the agent's loader (koffi binds the system libbpf.so.1). tini: PID 1 that forwards
# SIGTERM, so `pxgate` drains and stops as it does in a terminal.
RUN apt-get update \
  && apt-get install -y --no-install-recommends libbpf1 tini ca-certificates \
  && rm -rf /var/lib/apt/lists/* \
  && groupadd --system --gid 10001 pxgate \
  && useradd --system --uid 10001 --gid pxgate --home-dir /nonexistent --shell /usr/sbin/nologin pxgate
WORKDIR /opt/pxgate
COPY --from=build /app/package.json ./
COPY --from=build /app/bin ./bin
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/scripts/px ./scripts/px
COPY --from=build /app/bpf ./bpf
ENV NODE_ENV=production
USER 10001:10001
EXPOSE 8090 8091
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/opt/pxgate/bin/pxgate.js"]
CMD ["gateway", "--listen", "0.0.0.0:8090"]
