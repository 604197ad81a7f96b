# A cache left in a build stage never reaches the image; its installs are still pinned.
FROM mcr.microsoft.com/azurelinux/base/core:3.0 AS build
RUN tdnf install -y golang-1.22.7
FROM scratch
COPY --from=build /out /out
