FROM python:3.12.7-slim
CMD python -m orders --port 8080
