FROM ubuntu:24.04
USER root
RUN apt-get update && apt-get install -y --no-install-recommends curl=8.5.0-2ubuntu10 \
    && rm -rf /var/lib/apt/lists/*
# A comment that says sudo is not a command.
RUN echo "no sudo here" > /tmp/note
USER 1000
