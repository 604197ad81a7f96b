FROM alpine:3.20
ADD rootfs.tar.xz /
COPY config.yaml /etc/app/
ADD --chown=1000:1000 ${ARTIFACT} /opt/
