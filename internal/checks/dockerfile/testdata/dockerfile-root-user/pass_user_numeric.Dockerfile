FROM golang:1.26.8 AS build
RUN go build -o /out/app ./cmd/app

FROM alpine:3.20
RUN adduser -D -u 10001 app
COPY --from=build /out/app /app
USER 10001:10001
ENTRYPOINT ["/app"]
