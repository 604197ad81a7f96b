FROM debian:12.8-slim AS base
ARG UID=10001
RUN useradd -u ${UID} app
USER ${UID}

FROM base
COPY app /app
