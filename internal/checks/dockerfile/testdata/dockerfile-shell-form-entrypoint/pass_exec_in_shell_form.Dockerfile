FROM eclipse-temurin:21.0.5_11-jre
CMD exec java -jar /app.jar
