# storefront: the web front end's image, built the way the checklist asks. The build stage
# is pinned by version; the runtime base is distroless, pinned by digest, and runs as a
# non-root user; the process starts in exec form, so it gets SIGTERM when the pod stops.
# Its scan report (storefront.trivy.json) shows what a week-old image already carries.
ARG NODE_VERSION=22.11.0

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# node-gyp needs Python for the native modules; pinned, and the apt lists are removed.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3=3.11.2-1+b1 \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev
COPY src/ src/

FROM gcr.io/distroless/nodejs22-debian12:nonroot@sha256:59c41b61d9954e48378ba96aa237a0a8c7cc8585ddb56fd7d599172dae5009ee
WORKDIR /app
COPY --from=build /app /app
USER nonroot
EXPOSE 8080
CMD ["src/server.js"]
