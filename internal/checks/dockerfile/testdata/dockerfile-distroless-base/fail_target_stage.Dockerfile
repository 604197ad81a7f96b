# The last stage is a test stage built FROM the runtime stage: the runtime base counts.
FROM ubuntu:24.04 AS runtime
FROM runtime AS test
