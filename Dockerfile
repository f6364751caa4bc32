# kreroute's command line on Node 24. Build: docker build -t kreroute:0.1.0 .
# Run: docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/work" kreroute:0.1.0 copy plan.json --dest-config dest.properties …
# The base image is pinned by version and digest (the digest of the multi-platform index). To move to a
# newer Node 24, take the tag's current digest from `docker buildx imagetools inspect node:24.x.y-slim`
# (the "Digest:" line) and keep .node-version (the checkout's Node) at the same version.
ARG NODE_IMAGE=node:24.21.0-slim@sha256:0e0ff40c39bc087845bfb27465a0df4ea419520094bc35842ff83dd8cbe6f9b6

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# npm pack builds (package.json "prepack": tsc and the CLI bundle), then packs what a user installs.
RUN npm pack --pack-destination /tmp
WORKDIR /opt/kreroute
RUN tar -xzf /tmp/kreroute-*.tgz --strip-components=1 \
 && cp /src/package-lock.json . \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm package-lock.json \
 && node dist/bin/kreroute.mjs --version

FROM ${NODE_IMAGE}
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
 && ln -s /opt/kreroute/dist/bin/kreroute.mjs /usr/local/bin/kreroute \
 && mkdir /work && chown 1000:1000 /work
COPY --from=build /opt/kreroute /opt/kreroute
USER 1000:1000
WORKDIR /work
ENTRYPOINT ["kreroute"]
CMD ["--help"]
