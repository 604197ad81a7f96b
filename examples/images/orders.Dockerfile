# orders: the order service's image, written the way the checklist warns against. Every
# Dockerfile check fails here; its Grype report (orders.grype.json) is two weeks old.
FROM python:latest

# Unpinned packages, and the apt lists stay in the layer.
RUN apt-get update && apt-get install -y curl build-essential

# A script piped from the internet into the interpreter.
RUN curl -sSL https://install.python-poetry.org | python3 -

ADD https://downloads.contoso.example/orders/wheels.tar.gz /tmp/wheels/
ADD requirements.txt /app/requirements.txt
RUN sudo pip install --no-index --find-links /tmp/wheels -r /app/requirements.txt

# Credentials baked into the image.
ENV DB_HOST=orders-db DB_PASSWORD=orders-dev-2024
COPY deploy/id_rsa /root/.ssh/id_rsa

COPY . /app
WORKDIR /app
EXPOSE 8080 22
CMD python -m orders --port 8080
