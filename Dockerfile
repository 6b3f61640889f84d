# The app image: the reservation/payment service (service/main.ts, the default command) and
# the payment gateway stand-in (service/gateway/main.ts, docker-compose.yml's `gateway`).
#
# The image's own Node 24 runs the TypeScript sources directly (type stripping is on by
# default), so there is no build step. The `node` npm package is a devDependency, which
# `--omit=dev` leaves out. Validated by tests/unit/compose-app.test.ts, never built here
# (no Docker engine on these machines); see docs/compose.md.

FROM node:24-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

# Dependencies first, so a source change does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

# Only what service/main.ts and service/gateway/main.ts import (and their SQL migrations):
# service/ needs lib/ and contracts/ (the names every part shares: topics, ports, accounts).
COPY lib/ ./lib/
COPY contracts/ ./contracts/
COPY service/ ./service/

# The files stay root-owned and read-only to the process: it writes nothing to disk.
USER node

# 3001-3003: service instances (PORT picks one); 18080: the gateway stand-in.
EXPOSE 3001 3002 3003 18080

# kafkajs's harmless TimeoutNegativeWarning off, as stack/components/node-http.ts does.
CMD ["node", "--disable-warning=TimeoutNegativeWarning", "service/main.ts"]
