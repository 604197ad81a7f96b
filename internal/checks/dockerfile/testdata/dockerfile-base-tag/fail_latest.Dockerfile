FROM node:latest AS build
FROM node:22.11.0-alpine
