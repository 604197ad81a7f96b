FROM alpine:3.20
ENTRYPOINT ["/app"]
CMD serve --port 8080
