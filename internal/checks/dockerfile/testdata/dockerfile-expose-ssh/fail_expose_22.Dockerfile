FROM ubuntu:24.04
RUN apt-get update && apt-get install -y openssh-server=1:9.6p1-3ubuntu13 && rm -rf /var/lib/apt/lists/*
EXPOSE 80 22/tcp
