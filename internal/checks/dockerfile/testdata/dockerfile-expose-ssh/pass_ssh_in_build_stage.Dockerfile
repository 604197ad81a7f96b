# EXPOSE in a stage the image is not built from does not reach the image.
FROM alpine:3.20 AS tools
EXPOSE 22

FROM alpine:3.20
USER 1000
