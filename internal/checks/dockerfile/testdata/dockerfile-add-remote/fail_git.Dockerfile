FROM alpine:3.20 AS src
ADD git@github.com:contoso/tools.git#v1.2.0 /src
