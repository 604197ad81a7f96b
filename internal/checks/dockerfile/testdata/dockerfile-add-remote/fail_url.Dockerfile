FROM alpine:3.20
ADD https://example.com/install.sh /tmp/install.sh
