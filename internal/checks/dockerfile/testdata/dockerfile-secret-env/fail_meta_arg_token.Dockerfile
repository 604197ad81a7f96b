ARG GITHUB_TOKEN=ghp_s3cr3tvalue
FROM alpine:3.20
