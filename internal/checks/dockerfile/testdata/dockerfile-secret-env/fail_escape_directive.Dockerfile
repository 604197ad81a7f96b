# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
ENV ConnectionString="Server=db;Password=s3cr3t" `
    LOG_LEVEL=info
