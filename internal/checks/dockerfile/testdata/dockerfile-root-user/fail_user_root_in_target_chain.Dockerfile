# The build stage ends as root, and the final stage builds FROM it without a USER.
FROM ubuntu:24.04 AS base
USER root

FROM base AS final
COPY app /app
