FROM golang:1.26.8 AS build
FROM scratch
COPY --from=build /out/app /app
