FROM node:22.11.0-bookworm-slim
USER node
RUN npm ci
USER 0:0
CMD ["node", "server.js"]
