FROM golang:1.26.8 AS build
FROM debian:12.8-slim
