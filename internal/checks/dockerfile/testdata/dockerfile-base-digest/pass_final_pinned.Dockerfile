# The build stage is pinned by tag only: what it contributes is compiled into the image.
FROM golang:1.26.8 AS build
FROM gcr.io/distroless/static-debian12:nonroot@sha256:6ec5aa99dc335666e79dc64e4a6c8b89c33a543a1967f20d360922a80dd21f02
COPY --from=build /out/app /app
