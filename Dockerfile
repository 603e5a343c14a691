# syntax=docker/dockerfile:1
# replibot: multi-stage build on the current Node LTS (slim). The final image has production dependencies and
# the compiled dist/ only, and runs as the unprivileged `node` user.

FROM node:24-slim AS build
WORKDIR /app
# better-sqlite3 compiles its native addon when no prebuilt binary fits
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev

FROM node:24-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATABASE_PATH=/data/replibot.db
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json manifest.yml ./
COPY --chown=node:node bin ./bin
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# /healthz (liveness), /readyz (readiness) and /metrics (Prometheus) are served on PORT: by the Bolt server in
# HTTP mode (SLACK_SIGNING_SECRET), next to the socket in Socket Mode, and by the terminal chat (docker run -it)
# because PORT is set here. SIGTERM (docker stop) shuts down in order within 25 s: give it --time 30.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "bin/replibot.js", "start"]
