FROM python:3.12.7
RUN wget -qO- https://install.python-poetry.org | python3 -
