FROM node:22.11.0 AS base
ENTRYPOINT node server.js

FROM base
COPY . /app
