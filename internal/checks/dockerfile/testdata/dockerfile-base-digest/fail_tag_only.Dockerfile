FROM golang:1.26.8 AS build
FROM alpine:3.20 AS runtime
COPY --from=build /out/app /app
FROM runtime
