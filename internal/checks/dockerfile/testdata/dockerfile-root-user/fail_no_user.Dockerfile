FROM python:3.12.7-slim
COPY . /app
CMD ["python", "/app/main.py"]
