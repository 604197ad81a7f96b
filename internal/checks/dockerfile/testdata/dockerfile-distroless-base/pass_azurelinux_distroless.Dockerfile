FROM mcr.microsoft.com/azurelinux/distroless/base:3.0
