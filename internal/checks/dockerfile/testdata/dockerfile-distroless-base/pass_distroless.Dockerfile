FROM golang:1.26.8 AS build
FROM gcr.io/distroless/static-debian12:nonroot
