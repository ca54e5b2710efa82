# syntax=docker/dockerfile:1
# The worker, starter and sandbox in one small image. docker-compose.yml
# runs each with a different command.

FROM golang:1.26-bookworm AS build
WORKDIR /src
# Modules first, so source edits do not re-download them.
COPY go.mod go.sum ./
RUN go mod download
COPY internal/ internal/
COPY workflows/ workflows/
COPY activities/ activities/
COPY worker/ worker/
COPY starter/ starter/
COPY sandbox/ sandbox/
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/ ./worker ./starter ./sandbox

FROM debian:bookworm-slim AS runtime
# CA roots for api.brivo.com and Entrata; zone data is embedded in the binary.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --no-create-home app \
 && mkdir -p /data && chown app /data
COPY --from=build /out/worker /out/starter /out/sandbox /usr/local/bin/
COPY deploy/with-sandbox-env.sh /usr/local/bin/with-sandbox-env
USER app
WORKDIR /data
EXPOSE 9090
ENTRYPOINT ["/usr/local/bin/worker"]
