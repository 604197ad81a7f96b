FROM alpine:3.20 AS build
COPY id_rsa /root/.ssh/id_rsa
RUN git clone git@github.com:contoso/private.git
