FROM alpine:3.20
FROBNICATE everything
RUN echo still here
COPY onlyone
USER nobody
