# A stage that sets ENTRYPOINT without a CMD of its own drops the CMD it inherits.
FROM python:3.12.7-slim AS base
CMD python -m http.server

FROM base
ENTRYPOINT ["python", "-m", "orders"]
