FROM alpine:3.20
RUN apk update && apk add curl=8.11.0-r2
