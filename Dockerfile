# One image for every component of the stack; docker-compose.yml runs it three times
# (`--component iam|gateway|backend`). Without compose, `docker run -p 8080:8080 -p 8000:8000
# -p 8001:8001 -p 8081:8081 <image>` runs the whole stack in one container, like `npm start`.

# Build stage: production dependencies only, exactly as the lock file says. tsx (which runs the
# TypeScript sources) is a production dependency; nothing the runtime imports is a devDependency
# (test/e2e/docker.test.ts checks both).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim
ENV NODE_ENV=production
# CONTRACT.md: inside containers the listeners bind 0.0.0.0 (IAM_PORT etc. keep their defaults).
ENV HOST=0.0.0.0
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# Only what runs: the sources of the components, the entry points and the configs.
COPY package.json tsconfig.json ./
COPY bin/start.ts bin/healthcheck.mjs ./bin/
COPY common ./common
COPY mock-iam ./mock-iam
COPY gateway-emulator ./gateway-emulator
COPY stack ./stack
# The web console on the IAM's port (its browser code is bundled by esbuild at start) and the
# token inspection it shares with the CLI.
COPY console ./console
COPY tools/token-inspection.ts ./tools/
COPY config ./config
# The signing-key file of the default config (../.harness/signing-keys.json from config/) is
# written by the non-root user; docker-compose.yml keeps this folder in a volume.
RUN mkdir -p /app/.harness && chown node:node /app/.harness
USER node
EXPOSE 8080 8000 8001 8081
# Checks GET /_harness/health of whichever components the container runs (bin/healthcheck.mjs
# reads them from the start process); no curl in slim images, node's fetch does it.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "bin/healthcheck.mjs"]
# The entry of `npm start` (package.json: tsx bin/start.ts), run by node itself rather than npm:
# node is PID 1 and gets docker stop's SIGTERM (npm would not pass it on), and bin/start.ts
# shuts down gracefully on it.
ENTRYPOINT ["node", "--import", "tsx", "bin/start.ts"]
CMD ["--component", "all"]
