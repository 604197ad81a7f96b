FROM nginx:1.27.3
COPY --chown=nginx certs/server.key certs/server.pem /etc/nginx/tls/
COPY .env /app/.env
