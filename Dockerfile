# akscheck as a container: a static binary on a distroless, non-root base.
#   docker build -t akscheck .
#   docker run --rm -v "$PWD:/src:ro" akscheck scan /src
#
# The builder is pinned by version tag (the go.mod toolchain); the runtime base by digest.
# To move the base: crane digest gcr.io/distroless/static-debian12:nonroot
FROM golang:1.26.8 AS build
WORKDIR /build
COPY go.mod go.sum ./
RUN go mod download
COPY cmd/ cmd/
COPY internal/ internal/
ARG VERSION=dev
# CGO_ENABLED=0: no libc, so the binary runs on distroless/static.
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X github.com/akscheck/akscheck/internal/cli.version=${VERSION}" \
      -o /out/akscheck ./cmd/akscheck

FROM gcr.io/distroless/static-debian12:nonroot@sha256:afa5c872c891853ca7fcf1f12c3edb23f7eeef36189728842dd51042ff57f7ab
COPY --from=build /out/akscheck /usr/local/bin/akscheck
USER nonroot:nonroot
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/akscheck"]
CMD ["scan", "/src"]
