ARG GO_VERSION=1.26.8
FROM golang:${GO_VERSION} AS build
FROM gcr.io/distroless/static-debian12@sha256:6ec5aa99dc335666e79dc64e4a6c8b89c33a543a1967f20d360922a80dd21f02
FROM build AS test
FROM scratch
