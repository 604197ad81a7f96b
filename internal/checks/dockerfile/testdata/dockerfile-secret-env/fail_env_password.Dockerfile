FROM python:3.12.7-slim
ENV APP_ENV=production DB_PASSWORD="s3cr3t-value"
