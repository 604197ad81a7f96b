FROM ubuntu:24.04
RUN /bin/bash -c "$(curl -fsSL https://raw.githubusercontent.com/example/install.sh)"
