# syntax=docker/dockerfile:1
FROM debian:12.8-slim
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt,sharing=locked \
    apt-get update && apt-get install -y curl=7.88.1-10+deb12u8
