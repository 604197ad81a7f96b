FROM ubuntu:24.04
USER 1000
RUN DEBIAN_FRONTEND=noninteractive sudo -E apt-get install -y curl=8.5.0-2ubuntu10
