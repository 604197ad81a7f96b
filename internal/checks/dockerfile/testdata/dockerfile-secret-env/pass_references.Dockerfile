ARG NPM_TOKEN
FROM node:22.11.0
ARG NPM_TOKEN
ENV DB_PASSWORD_FILE=/run/secrets/db-password \
    API_KEY=${API_KEY} \
    TOKEN_AUDIENCE=$AUDIENCE
RUN --mount=type=secret,id=npm,env=NPM_TOKEN npm ci
