# syntax=docker/dockerfile:1
# Sameroom in a container: `docker build -t sameroom .` (or deploy/compose.yaml, with Redis).
# The steps mirror the production install CI checks (test/ops/dockerfile.test.ts lints them).

# --- build: every dependency, compile to dist/, then drop the dev dependencies.
# The full image has python3, make and g++ for native add-ons that build from source.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json main.ts ./
COPY scripts/build.mjs ./scripts/build.mjs
COPY src ./src
COPY bots ./bots
COPY commands ./commands
RUN npm run build && npm prune --omit=dev

# --- runtime: production dependencies and the compiled output only, as an unprivileged user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/data \
    LOG_FORMAT=json
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# Static files the compiled code reads next to itself (the web chat's page, script and style).
COPY bots/web/public ./dist/bots/web/public
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/main.js"]
