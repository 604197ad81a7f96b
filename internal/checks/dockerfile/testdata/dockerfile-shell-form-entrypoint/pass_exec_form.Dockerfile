FROM alpine:3.20 AS build
CMD echo build stage only

FROM alpine:3.20
ENTRYPOINT ["/app", "--config", "/etc/app.yaml"]
CMD ["serve"]
