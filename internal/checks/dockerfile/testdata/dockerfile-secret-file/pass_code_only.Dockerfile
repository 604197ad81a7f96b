FROM node:22.11.0
COPY package.json package-lock.json ./
COPY .env.example /app/.env.example
COPY src/ /app/src/
