# The :nonroot distroless tags run as UID 65532 without a USER.
FROM gcr.io/distroless/static-debian12:nonroot
COPY app /app
ENTRYPOINT ["/app"]
