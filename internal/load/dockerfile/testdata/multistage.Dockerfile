# syntax=docker/dockerfile:1
ARG GO_VERSION=1.26.8
ARG BASE
FROM golang:${GO_VERSION} AS build
WORKDIR /src
RUN --mount=type=cache,target=/root/.cache/go-build \
    --mount=type=bind,source=go.mod,target=go.mod \
    go build -o /out/app \
      ./cmd/app
RUN <<EOF
set -e
apt-get update
EOF

FROM ${BASE} AS unresolved

FROM build AS test
ENV APP_USER=app
USER ${APP_USER}

FROM gcr.io/distroless/static-debian12:nonroot AS final
ARG PORT=8080
EXPOSE ${PORT}/tcp
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
CMD serve --port 8080
