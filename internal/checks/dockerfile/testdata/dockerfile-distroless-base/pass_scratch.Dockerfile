FROM golang:1.26.8 AS build
FROM scratch
