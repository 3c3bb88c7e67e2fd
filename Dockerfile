# syntax=docker/dockerfile:1
# Guichet — one image for every role: start (api + in-process worker), api,
# worker, migrate, demo. TypeScript runs directly through tsx; the only build
# is the console (web/, Vite + React), made in its own stage below.

# --- Console build: needs the dev dependencies (vite, react, typescript…) ----
FROM node:20-bookworm-slim AS console

WORKDIR /build
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
COPY package.json package-lock.json ./
RUN npm ci
# Only what the console build reads: its sources and the generated API types.
COPY web ./web
RUN npm run build:web

# --- Runtime ------------------------------------------------------------------
FROM node:20-bookworm-slim

WORKDIR /app

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# Dependencies first so this layer is cached until the lockfile changes.
# tsx is a runtime dependency; typescript/vitest/eslint are dev-only.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

# Application sources (see .dockerignore). Owned by root: read-only for the app.
COPY . .
# The built console, served by the api under /console/ (src/http/routes/console.ts).
COPY --from=console /build/web/dist ./web/dist

# Writable data directory (attachments in /data/files). Created and chowned
# before VOLUME so a fresh named volume inherits node:node ownership.
RUN mkdir -p /data/files && chown -R node:node /data

USER node

VOLUME /data
EXPOSE 3000

# Only meaningful for roles that serve HTTP (start, api); docker-compose
# disables it for the worker and migrate services.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

ENTRYPOINT ["npx", "tsx", "src/main.ts"]
CMD ["start"]
