# syntax=docker/dockerfile:1
# One image for the worker, the API and the sandbox; docker-compose.yml picks the command.
ARG NODE_IMAGE=node:20.19.0-bookworm-slim

# ---- build: compile TypeScript to dist/ -------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts stay off, as package.json's allowScripts says: the native parts (Temporal's
# core-bridge, @swc/core, esbuild) ship prebuilt in their packages.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# Compiles to dist/ and prebuilds the workflow bundle, so a worker starts without webpack.
RUN npm run build

# ---- runtime ------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    DATA_DIR=/var/lib/codepay
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only. @temporalio/worker is one of them and brings webpack, swc-loader
# and @swc/core; the worker only uses them if the prebuilt bundle does not match dist/ (it can't
# here: both come from the same build). tsx is not used at run time: every command below runs the
# compiled JavaScript.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && npm cache clean --force \
    && mkdir -p "$DATA_DIR/reconciliations" \
    && chown -R node:node "$DATA_DIR"
COPY --from=build /app/dist ./dist
COPY --from=build /app/node_modules/.cache/codepay-workflows ./node_modules/.cache/codepay-workflows
COPY deploy/healthcheck.mjs ./deploy/healthcheck.mjs
# The official image's unprivileged user (uid 1000): key files mounted into the container must be
# readable by it (docs/operations.md).
USER node
EXPOSE 3000 3100 9464
CMD ["node", "dist/worker.js"]
