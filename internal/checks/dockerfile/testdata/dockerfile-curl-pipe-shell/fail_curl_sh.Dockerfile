FROM ubuntu:24.04
RUN curl -fsSL https://get.example.com | sudo sh -s -- --yes
