# syntax=docker/dockerfile:1
FROM ubuntu:24.04
RUN <<EOF
set -e
sudo chown -R app /srv
EOF
