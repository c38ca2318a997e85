# syntax=docker/dockerfile:1
# Marquee: one image for every role (ROLE=api | worker | all). Node 24 runs the TypeScript
# sources directly (type stripping), so the image holds sources and production dependencies,
# no build output. Not built on the machines this project is developed on (no registry access
# there): see docs/DEPLOYMENT.md for what was and was not run.

FROM node:24-bookworm-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; argon2 ships prebuilt binaries, so no compiler is needed.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24-bookworm-slim AS runtime
# ffmpeg/ffprobe for the media pipeline (Debian's 5.1); tini reaps ffmpeg children and passes
# SIGTERM to node, which drains requests and jobs within SHUTDOWN_TIMEOUT_MS.
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg tini ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    LOG_PRETTY=false
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
COPY migrations ./migrations
# The "node" user (uid 1000) of the base image; /data is where keys and (embedded mode only)
# the database and local storage live — mount a volume there.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "src/main.ts"]
