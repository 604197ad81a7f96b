# The release image: the binary goreleaser built (.goreleaser.yaml, dockers_v2) on the same
# distroless, non-root base as Dockerfile. goreleaser's build context holds the binaries under
# their platform (linux/amd64/akscheck, linux/arm64/akscheck), so this file builds only there;
# `docker build .` uses Dockerfile, which compiles from source.
FROM gcr.io/distroless/static-debian12:nonroot@sha256:afa5c872c891853ca7fcf1f12c3edb23f7eeef36189728842dd51042ff57f7ab
ARG TARGETPLATFORM
COPY ${TARGETPLATFORM}/akscheck /usr/local/bin/akscheck
USER nonroot:nonroot
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/akscheck"]
CMD ["scan", "/src"]
